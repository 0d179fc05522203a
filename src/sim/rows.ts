/** Rows of the world's tables, as better-sqlite3 returns them. */
export interface UserRow {
  id: number;
  kind: 'fleet' | 'person' | 'bot';
  first_name: string;
  last_name: string | null;
  username: string | null;
  phone: string | null;
  deleted: number;
  privacy: 'everybody' | 'contacts';
  login_code: string | null;
  password: string | null;
  srp_salt1: Buffer | null;
  srp_salt2: Buffer | null;
  srp_v: Buffer | null;
  password_hint: string | null;
  recovery_email: string | null;
  state: 'active' | 'banned' | 'frozen';
  pts: number;
  last_box_id: number;
  created_at: number;
  /** The bio (world schema 2). */
  about: string;
}

export interface ChatRow {
  id: number;
  kind: 'group' | 'supergroup' | 'channel';
  forum: number;
  title: string;
  about: string;
  username: string | null;
  linked_chat_id: number | null;
  join_request: number;
  reactions: string | null;
  pts: number;
  created_at: number;
}

export interface ChannelMessageRow {
  chat_id: number;
  id: number;
  from_user_id: number | null;
  text: string;
  date: number;
  reply_to: number | null;
  top_id: number | null;
  fwd_chat_id: number | null;
  fwd_msg_id: number | null;
  poll_id: number | null;
  service: string | null;
}

export interface BoxMessageRow {
  owner_id: number;
  id: number;
  pts: number;
  peer_kind: 'user' | 'chat';
  peer_id: number;
  from_id: number;
  out: number;
  text: string;
  date: number;
  /** Set once the message was edited (ms), with the owner's pts the edit took. */
  edit_date?: number | null;
  edit_pts?: number | null;
}

export interface PollRow {
  id: number;
  question: string;
  multiple: number;
  closed: number;
}

export interface MemberRow {
  chat_id: number;
  user_id: number;
  role: 'creator' | 'admin' | 'member';
  joined_at: number;
}
