import { describe, expect, it } from 'vitest';
import { editProofIdentity, messageIdentity } from './message-identity.ts';
import type { ChatInfo, IncomingMessage, SenderInfo } from './session.ts';

const BASIC: ChatInfo = { id: -4000001, kind: 'group', title: 'Family', username: null };
const SUPER: ChatInfo = { id: -1001000000001, kind: 'supergroup', title: 'Traders', username: null };
const ALICE: SenderInfo = { id: 555, name: 'Alice', username: null, isBot: false };
const DATE = Date.UTC(2026, 0, 1, 12, 0, 0);

function copy(chat: ChatInfo, messageId: number, over: Partial<IncomingMessage> = {}): IncomingMessage {
  return { chat, messageId, sender: ALICE, text: 'selling usdt', date: DATE, ...over };
}

describe('messageIdentity', () => {
  it('names every member copy of a basic-group message alike, and never as a real id', () => {
    const a = messageIdentity(copy(BASIC, 17));
    expect(messageIdentity(copy(BASIC, 940))).toBe(a);
    expect(a).toBeLessThan(0);
    expect(Number.isSafeInteger(a)).toBe(true);
  });

  it('tells apart basic-group messages that differ in sender, second or text', () => {
    const a = messageIdentity(copy(BASIC, 1));
    expect(messageIdentity(copy(BASIC, 1, { sender: { ...ALICE, id: 556 } }))).not.toBe(a);
    expect(messageIdentity(copy(BASIC, 1, { date: DATE + 1000 }))).not.toBe(a);
    expect(messageIdentity(copy(BASIC, 1, { text: 'selling usdt!' }))).not.toBe(a);
  });

  it('keeps the message id where the chat has one box (supergroups, forums, channels)', () => {
    expect(messageIdentity(copy(SUPER, 17))).toBe(17);
    expect(messageIdentity(copy({ ...SUPER, kind: 'channel' }, 18, { sender: null }))).toBe(18);
    expect(messageIdentity(copy({ ...SUPER, kind: 'forum' }, 19))).toBe(19);
  });
});

describe('editProofIdentity', () => {
  it('names an edited basic-group copy like the original, apart from its text identity and other senders or seconds', () => {
    const original = copy(BASIC, 17);
    const edited = copy(BASIC, 940, { text: 'selling usdt, cheap', edited: true });
    expect(editProofIdentity(edited)).toBe(editProofIdentity(original));
    expect(editProofIdentity(original)).not.toBe(messageIdentity(original));
    expect(editProofIdentity(original)).toBeLessThan(0);
    expect(editProofIdentity(copy(BASIC, 1, { sender: { ...ALICE, id: 556 } }))).not.toBe(editProofIdentity(original));
    expect(editProofIdentity(copy(BASIC, 1, { date: DATE + 1000 }))).not.toBe(editProofIdentity(original));
  });

  it('is not needed where the message id is shared', () => {
    expect(editProofIdentity(copy(SUPER, 17))).toBeNull();
  });
});
