/**
 * A simulated Telegram world in its own SQLite file, answering the production mtcute client.
 *
 * Who is calling: every attached client negotiates a real MTProto auth key with the simulator's
 * transport (see mtproto/handshake.ts), exactly as with Telegram. The simulator identifies a
 * request by that key's id (the last 8 bytes of SHA-1 of the key), read from the client's own
 * storage (or taken from the handshake that just produced it). The key is what
 * `exportSession()` carries, so a session imported into a new client with a fresh storage is the
 * same authorization here; the key itself is never stored in the world, only its id.
 * - A login binds the key id to the account (`authorizations`), so it persists in the world
 *   file across processes.
 * - Revoking marks the authorization; its key then answers AUTH_KEY_UNREGISTERED or
 *   SESSION_REVOKED.
 * - Each attachment that uses a key registers a row in `connections` (connections.ts); a second
 *   live attachment using the same key (in this process or another live one) kills the
 *   authorization: both answer AUTH_KEY_DUPLICATED from then on.
 *
 * The parts: the file (world-file.ts), the connection registry (connections.ts), answering calls
 * (dispatch.ts), pushing updates (update-pump.ts), the operator's controls (controls.ts) and
 * read-only views (inspect.ts). This class ties them to one open file.
 */
import type { tl } from '@mtcute/core';
import type { ICryptoProvider } from '@mtcute/core/utils.js';
import { SimAttachmentImpl, type SimAttachment } from './attachment.ts';
import { ConnectionRegistry } from './connections.ts';
import { liveDevicesOf, passwordEmailCode, type LiveDevice } from './rpc/account.ts';
import { makeVerifier } from './srp.ts';
import { applyFault, budgets, clearBudget, clearFaults, closePollOf, editMessage, postMessage, setBudget, toFault, type PostResult } from './controls.ts';
import { answerCall, type CallOptions } from './dispatch.ts';
import type { SimFault } from './faults.ts';
import {
  accountFaults,
  chatLink,
  chatMessages,
  deliveryLog,
  findAccount,
  findChat,
  fleetAccounts,
  hasBlocked,
  hasJoinRequestTo,
  isMemberOf,
  pollOf,
  pollState,
  reactionsOn,
  worldSummary,
  type AccountInfo,
  type Delivery,
  type WorldSummary,
} from './inspect.ts';
import { loadServerKey, newServerKeyPem, type ServerKey } from './mtproto/handshake.ts';
import type { ChatRow, UserRow } from './rows.ts';
import { UpdatePump } from './update-pump.ts';
import { openWorldFile, type Db } from './world-file.ts';

export type { AccountInfo, CallOptions, Delivery, PostResult, WorldSummary };

export interface OpenWorldOptions {
  /** Create the file when it does not exist (createWorld does this). */
  create?: boolean;
}

/** Opens a world file, refusing (and never touching) a file that is not one. */
export function openWorld(path: string, opts: OpenWorldOptions = {}): SimWorld {
  return new SimWorld(openWorldFile(path, opts), path);
}

export class SimWorld {
  private readonly attachments = new Set<SimAttachmentImpl>();
  /** @internal */
  readonly connections: ConnectionRegistry;
  private readonly updates: UpdatePump;
  private closed = false;
  private cachedSecret: string | undefined;
  private cachedServerKey: ServerKey | undefined;

  constructor(
    readonly db: Db,
    readonly path: string,
  ) {
    this.connections = new ConnectionRegistry(db, () => this.now());
    this.updates = new UpdatePump(this, this.attachments);
  }

  /** What access hashes are derived from (fixed when the world is created). */
  get secret(): string {
    this.cachedSecret ??= this.meta('secret');
    return this.cachedSecret ?? '';
  }

  /**
   * The world's RSA server key for key exchanges, made once per world and kept in its file: an
   * RSA key pair costs a noticeable share of a second, which every process (each CLI command, each
   * test's child) paid again. When two processes make one at once, the first stored wins.
   */
  serverKey(crypto: ICryptoProvider): ServerKey {
    if (this.cachedServerKey) return this.cachedServerKey;
    let pem = this.meta('server_key');
    if (pem === undefined) {
      this.db.prepare('INSERT OR IGNORE INTO sim_meta (key, value) VALUES (?, ?)').run('server_key', newServerKeyPem(crypto));
      pem = this.meta('server_key')!;
    }
    this.cachedServerKey = loadServerKey(crypto, pem);
    return this.cachedServerKey;
  }

  // ---- meta and clock ----

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM sim_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO sim_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** World time in epoch ms: the wall clock, or the time the world was told. */
  now(): number {
    const clock = this.meta('clock');
    return clock === undefined || clock === 'wall' ? Date.now() : Number(clock);
  }

  /** Freezes world time at `ms` (it moves only when told again). */
  setTime(ms: number): void {
    this.setMeta('clock', String(Math.floor(ms)));
  }

  advance(ms: number): void {
    this.setTime(this.now() + ms);
  }

  useWallClock(): void {
    this.setMeta('clock', 'wall');
  }

  get clockMode(): 'wall' | 'fixed' {
    const clock = this.meta('clock');
    return clock === undefined || clock === 'wall' ? 'wall' : 'fixed';
  }

  // ---- attaching clients ----

  /** A transport + middleware pair for one TelegramClient (see attachment.ts). */
  attach(): SimAttachment {
    if (this.closed) throw new Error('the world is closed');
    const att = new SimAttachmentImpl(this);
    this.attachments.add(att);
    return att;
  }

  /** @internal called by an attachment when it closes. */
  detach(att: SimAttachmentImpl, rows: number[]): void {
    this.attachments.delete(att);
    this.connections.close(rows, !this.closed);
    this.updates.schedule();
  }

  /** @internal answers one RPC from the client holding auth key `keyId`: a TL object or an `mt_rpc_error`. */
  async call(att: SimAttachmentImpl, keyId: string, request: tl.RpcMethod, opts: CallOptions = {}): Promise<unknown> {
    const answer = await answerCall(this, att, keyId, request, opts);
    this.pump();
    return answer;
  }

  /** @internal keeps polling the event log while clients are bound (for other processes' events). */
  schedulePump(): void {
    this.updates.schedule();
  }

  /** Pushes every new event to the bound clients it concerns. */
  pump(): void {
    this.updates.pump();
  }

  // ---- operator controls ----

  /** A fleet account by phone (any formatting), username or user id. */
  account(ref: string): UserRow {
    return findAccount(this.db, ref, this.path);
  }

  /** Applies a fault; for one-shot faults, how many current sessions it ended (0 for the lasting kinds). */
  setFault(accountRef: string, fault: SimFault | string): { fault: SimFault; sessions: number } {
    const f = toFault(fault);
    return applyFault(this.db, this.account(accountRef), f, this.now());
  }

  /** Clears every fault of the account (or one kind). Revoked sessions stay revoked. */
  clearFault(accountRef: string, kind?: string): void {
    clearFaults(this.db, this.account(accountRef), kind);
  }

  faultsOf(userId: number): string[] {
    return accountFaults(this.db, userId, this.now());
  }

  /** At most `max` calls of `method` per account per window; `peer_flood` counts private messages to strangers. */
  setBudget(method: string, max: number, windowMs: number): void {
    setBudget(this.db, method, max, windowMs);
  }

  clearBudget(method: string): void {
    clearBudget(this.db, method);
  }

  budgets(): Array<{ method: string; max: number; windowMs: number }> {
    return budgets(this.db);
  }

  /** A chat by @username, t.me link (public, +invite or /c/ID), numeric id or exact title. */
  findChat(ref: string): ChatRow {
    return findChat(this.db, ref, this.path);
  }

  chatLink(chat: ChatRow, messageId?: number): string | null {
    return chatLink(chat, messageId);
  }

  /** Makes someone post `text` in a chat (see controls.ts) and pushes it to every attached member. */
  post(chatRef: string, text: string, fromUser?: string): PostResult {
    const result = postMessage(this.db, this.findChat(chatRef), text, this.now(), fromUser);
    this.pump();
    return result;
  }

  /** The sender edits a message `post` returned (basic groups) and every member gets the edit. */
  edit(chatRef: string, messageId: number, text: string): void {
    editMessage(this.db, this.findChat(chatRef), messageId, text, this.now());
    this.pump();
  }

  closePoll(chatRef: string, messageId: number): void {
    closePollOf(this.db, pollOf(this.db, this.findChat(chatRef), messageId));
  }

  // ---- inspection ----

  poll(chatRef: string, messageId: number): { question: string; multiple: boolean; closed: boolean; votes: number[] } {
    return pollState(this.db, pollOf(this.db, this.findChat(chatRef), messageId));
  }

  /** Who reacted to a message with what. */
  reactions(chatRef: string, messageId: number): Array<{ userId: number; emoji: string }> {
    return reactionsOn(this.db, this.findChat(chatRef).id, messageId);
  }

  isMember(chatRef: string, userId: number): boolean {
    return isMemberOf(this.db, this.findChat(chatRef).id, userId);
  }

  hasJoinRequest(chatRef: string, userId: number): boolean {
    return hasJoinRequestTo(this.db, this.findChat(chatRef).id, userId);
  }

  isBlocked(userId: number, blockedUsername: string): boolean {
    return hasBlocked(this.db, userId, blockedUsername);
  }

  /** Messages in a chat (newest last), for checks. */
  messages(chatRef: string): Array<{ id: number; fromUserId: number | null; text: string; replyTo: number | null; topId: number | null }> {
    return chatMessages(this.db, this.findChat(chatRef).id);
  }

  /** The delivery log: every private message an account sent, oldest first. */
  deliveries(): Delivery[] {
    return deliveryLog(this.db);
  }

  /** The devices logged into an account (its live authorizations and seeded devices). */
  devices(accountRef: string): LiveDevice[] {
    return liveDevicesOf(this.db, this.account(accountRef).id);
  }

  /** The code "emailed" to confirm `email` as the account's recovery address. */
  passwordEmailCode(accountRef: string, email: string): string {
    return passwordEmailCode(this.secret, this.account(accountRef).id, email);
  }

  /** Whether `password` is the account's two-step password (false when it has none). */
  checkPassword(accountRef: string, password: string): boolean {
    const u = this.account(accountRef);
    if (!u.srp_v || !u.srp_salt1 || !u.srp_salt2) return false;
    return makeVerifier(password, u.srp_salt1, u.srp_salt2).equals(u.srp_v);
  }

  /** The account's two-step state: set or not, its hint and confirmed recovery email. */
  passwordState(accountRef: string): { enabled: boolean; hint: string | null; email: string | null } {
    const u = this.account(accountRef);
    return { enabled: u.srp_v !== null, hint: u.password_hint, email: u.recovery_email };
  }

  accounts(): AccountInfo[] {
    return fleetAccounts(this.db, this.now());
  }

  /** The same summary `sim create` prints, read back from the file. */
  summary(): WorldSummary {
    return worldSummary(this.db);
  }

  close(): void {
    if (this.closed) return;
    for (const att of [...this.attachments]) att.close();
    this.closed = true;
    this.updates.stop();
    this.db.close();
  }
}
