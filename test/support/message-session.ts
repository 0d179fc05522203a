/**
 * An `AccountSession` that only delivers messages (what the monitor uses), for monitor tests and
 * benchmarks: `deliver()` calls the handlers like mtcute's update loop would; `resync()` is
 * scripted. Every other method refuses.
 */
import type { AccountSession, CatchUpEvent, ChatInfo, IncomingMessage, SelfInfo } from '../../src/core/session.ts';

export class MessageSession implements AccountSession {
  private readonly handlers = new Set<(m: IncomingMessage) => void>();
  resyncCalls = 0;
  /** What `resync()` does; undefined removes the method from the port. */
  resyncScript: (() => Promise<void>) | undefined = () => Promise.resolve();
  chats: ChatInfo[] = [];

  constructor(
    readonly accountId: number,
    readonly userId: number,
  ) {}

  get resync(): (() => Promise<void>) | undefined {
    const script = this.resyncScript;
    if (!script) return undefined;
    return () => {
      this.resyncCalls++;
      return script();
    };
  }

  get listeners(): number {
    return this.handlers.size;
  }

  deliver(message: IncomingMessage): void {
    for (const h of this.handlers) h(message);
  }

  private readonly catchUpListeners = new Set<(e: CatchUpEvent) => void>();

  /** Tells listeners what mtcute's catch-up would (see `AccountSession.onCatchUp`). */
  emitCatchUp(event: CatchUpEvent): void {
    for (const l of this.catchUpListeners) l(event);
  }

  onCatchUp(listener: (e: CatchUpEvent) => void): () => void {
    this.catchUpListeners.add(listener);
    return () => this.catchUpListeners.delete(listener);
  }

  onMessage(handler: (message: IncomingMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  me(): Promise<SelfInfo> {
    return Promise.resolve({ userId: this.userId, username: `acct${this.accountId}`, firstName: `Account ${this.accountId}`, phone: null });
  }

  dialogs(): Promise<ChatInfo[]> {
    return Promise.resolve(this.chats);
  }

  private refuse(): Promise<never> {
    return Promise.reject(new Error('MessageSession only delivers messages'));
  }

  react = (): Promise<never> => this.refuse();
  poll = (): Promise<never> => this.refuse();
  vote = (): Promise<never> => this.refuse();
  join = (): Promise<never> => this.refuse();
  leave = (): Promise<never> => this.refuse();
  block = (): Promise<never> => this.refuse();
  sendMessage = (): Promise<never> => this.refuse();
  comment = (): Promise<never> => this.refuse();
  findSent = (): Promise<never> => this.refuse();
  spamStatus = (): Promise<never> => this.refuse();
  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}
