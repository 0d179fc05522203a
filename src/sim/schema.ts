/** One numbered, forward-only step of the world file's schema. */
export interface WorldMigration {
  version: number;
  name: string;
  sql: string;
}

/** Written into `sim_meta` so a world file is recognised (and anything else refused). */
export const WORLD_KIND = 'telegram-panel-sim-world';

/**
 * The simulated world's own schema (its own file, its own version numbers; unrelated to
 * panel.db). Times are epoch milliseconds of the world's clock; random ids and access hashes are
 * decimal strings (64-bit).
 */
export const SIM_MIGRATIONS: readonly WorldMigration[] = [
  {
    version: 1,
    name: 'world',
    sql: `
      CREATE TABLE sim_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('fleet', 'person', 'bot')),
        first_name TEXT NOT NULL,
        last_name TEXT,
        username TEXT UNIQUE COLLATE NOCASE,
        phone TEXT UNIQUE,
        deleted INTEGER NOT NULL DEFAULT 0,
        -- who may start a private chat with this user
        privacy TEXT NOT NULL DEFAULT 'everybody' CHECK (privacy IN ('everybody', 'contacts')),
        login_code TEXT,
        password TEXT,
        srp_salt1 BLOB,
        srp_salt2 BLOB,
        srp_v BLOB,
        state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'banned', 'frozen')),
        -- the user's common message box (private chats and basic groups); never 0, as on
        -- Telegram (mtcute treats pts 0 as "no state" and refetches it)
        pts INTEGER NOT NULL DEFAULT 1,
        last_box_id INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE chats (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('group', 'supergroup', 'channel')),
        forum INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL,
        about TEXT NOT NULL DEFAULT '',
        username TEXT UNIQUE COLLATE NOCASE,
        linked_chat_id INTEGER,
        join_request INTEGER NOT NULL DEFAULT 0,
        -- JSON array of allowed emoji; NULL allows every standard emoji
        reactions TEXT,
        -- channel message box: the last message id, which is also its pts
        pts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE members (
        chat_id INTEGER NOT NULL REFERENCES chats(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('creator', 'admin', 'member')),
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX members_by_user ON members(user_id);

      CREATE TABLE join_requests (
        chat_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE invites (
        hash TEXT PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id),
        request_needed INTEGER NOT NULL DEFAULT 0,
        revoked INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE topics (
        chat_id INTEGER NOT NULL,
        id INTEGER NOT NULL,
        title TEXT NOT NULL,
        PRIMARY KEY (chat_id, id)
      ) WITHOUT ROWID;

      -- supergroup and channel messages: one copy, ids per chat
      CREATE TABLE channel_messages (
        chat_id INTEGER NOT NULL,
        id INTEGER NOT NULL,
        from_user_id INTEGER,
        text TEXT NOT NULL,
        date INTEGER NOT NULL,
        reply_to INTEGER,
        top_id INTEGER,
        fwd_chat_id INTEGER,
        fwd_msg_id INTEGER,
        poll_id INTEGER,
        service TEXT,
        PRIMARY KEY (chat_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX channel_messages_thread ON channel_messages(chat_id, top_id, id);

      -- private chats and basic groups: every participant has a copy with its own id
      CREATE TABLE box_messages (
        owner_id INTEGER NOT NULL,
        id INTEGER NOT NULL,
        pts INTEGER NOT NULL,
        peer_kind TEXT NOT NULL CHECK (peer_kind IN ('user', 'chat')),
        peer_id INTEGER NOT NULL,
        from_id INTEGER NOT NULL,
        out INTEGER NOT NULL,
        text TEXT NOT NULL,
        date INTEGER NOT NULL,
        PRIMARY KEY (owner_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX box_messages_peer ON box_messages(owner_id, peer_kind, peer_id, id);
      CREATE INDEX box_messages_pts ON box_messages(owner_id, pts);

      CREATE TABLE polls (
        id INTEGER PRIMARY KEY,
        question TEXT NOT NULL,
        multiple INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE poll_options (
        poll_id INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (poll_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE poll_votes (
        poll_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (poll_id, user_id, idx)
      ) WITHOUT ROWID;

      CREATE TABLE reactions (
        chat_id INTEGER NOT NULL,
        msg_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        emoji TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, msg_id, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE blocks (
        user_id INTEGER NOT NULL,
        blocked_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (user_id, blocked_id)
      ) WITHOUT ROWID;

      CREATE TABLE contacts (
        user_id INTEGER NOT NULL,
        contact_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, contact_id)
      ) WITHOUT ROWID;

      -- every random_id an account has used, for RANDOM_ID_DUPLICATE
      CREATE TABLE random_ids (
        user_id INTEGER NOT NULL,
        random_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (user_id, random_id)
      ) WITHOUT ROWID;

      -- every private message a fleet account sent (the delivery log)
      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        from_id INTEGER NOT NULL,
        to_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        random_id TEXT NOT NULL,
        msg_id INTEGER NOT NULL,
        -- the recipient was neither a contact nor someone who had written first
        stranger INTEGER NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX deliveries_by_sender ON deliveries(from_id, stranger, at);

      -- one row per auth key the simulator has seen; the key itself is never stored
      CREATE TABLE authorizations (
        key_id TEXT PRIMARY KEY,
        user_id INTEGER,
        state TEXT NOT NULL CHECK (state IN ('anonymous', 'password', 'active', 'logged_out', 'revoked', 'duplicated')),
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX authorizations_by_user ON authorizations(user_id);

      CREATE TABLE login_codes (
        hash TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        phone TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE srp_sessions (
        srp_id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        b BLOB NOT NULL,
        gb BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );

      -- live attachments, for AUTH_KEY_DUPLICATED across processes
      CREATE TABLE connections (
        id INTEGER PRIMARY KEY,
        key_id TEXT NOT NULL,
        pid INTEGER NOT NULL,
        opened_at INTEGER NOT NULL,
        closed_at INTEGER
      );
      CREATE INDEX connections_live ON connections(key_id) WHERE closed_at IS NULL;

      -- faults set on demand, per account; method '' means every method
      CREATE TABLE faults (
        user_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        method TEXT NOT NULL DEFAULT '',
        value INTEGER,
        PRIMARY KEY (user_id, kind, method)
      ) WITHOUT ROWID;

      -- rule budgets: at most max calls of method per account per window
      CREATE TABLE budgets (
        method TEXT PRIMARY KEY,
        max INTEGER NOT NULL,
        window_ms INTEGER NOT NULL
      );
      CREATE TABLE calls (
        user_id INTEGER NOT NULL,
        method TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX calls_window ON calls(user_id, method, at);

      -- what happened, for pushing updates to attached clients (in this and other processes)
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('box', 'channel')),
        user_id INTEGER,
        chat_id INTEGER,
        msg_id INTEGER NOT NULL,
        -- the auth key whose request caused it: that client already has it in the answer
        actor TEXT,
        at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'account care',
    sql: `
      -- what each authorization looks like in Settings > Devices: real auth keys (key_id set, the
      -- row made from the client's initConnection on its first call) and devices seeded by
      -- sim create that have no key (key_id NULL); hash is Telegram's authorization id
      CREATE TABLE devices (
        hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL,
        key_id TEXT UNIQUE,
        device_model TEXT NOT NULL,
        platform TEXT NOT NULL,
        system_version TEXT NOT NULL,
        app_name TEXT NOT NULL,
        app_version TEXT NOT NULL,
        api_id INTEGER NOT NULL,
        ip TEXT NOT NULL,
        country TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        active_at INTEGER NOT NULL,
        ended INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX devices_by_user ON devices(user_id);

      ALTER TABLE users ADD COLUMN password_hint TEXT;
      ALTER TABLE users ADD COLUMN recovery_email TEXT;

      -- a new 2FA password waiting for its recovery email to be confirmed (account.confirmPasswordEmail)
      CREATE TABLE password_pending (
        user_id INTEGER PRIMARY KEY,
        srp_salt1 BLOB,
        srp_salt2 BLOB,
        srp_v BLOB,
        hint TEXT,
        email TEXT NOT NULL,
        code TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'profiles',
    sql: `
      -- the account's bio (Telegram's "about")
      ALTER TABLE users ADD COLUMN about TEXT NOT NULL DEFAULT '';

      -- file parts uploaded with upload.saveFilePart / saveBigFilePart, until a call uses the file
      CREATE TABLE upload_parts (
        user_id INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        part INTEGER NOT NULL,
        total_parts INTEGER,
        bytes BLOB NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (user_id, file_id, part)
      ) WITHOUT ROWID;

      -- profile photos set by accounts; the newest is the current one (the image itself is not kept)
      CREATE TABLE profile_photos (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX profile_photos_by_user ON profile_photos(user_id, id);
    `,
  },
  {
    version: 4,
    name: 'edits',
    sql: `
      -- a box message's last edit: when (ms) and the owner's pts it took; getDifference hands an
      -- edit of a message the client already had as updateEditMessage, a newer message as edited
      ALTER TABLE box_messages ADD COLUMN edit_date INTEGER;
      ALTER TABLE box_messages ADD COLUMN edit_pts INTEGER;
      CREATE INDEX box_messages_edit_pts ON box_messages(owner_id, edit_pts);
      -- set on an event that is an edit (of the box message msg_id), not a new message
      ALTER TABLE events ADD COLUMN edit INTEGER NOT NULL DEFAULT 0;
    `,
  },
];
