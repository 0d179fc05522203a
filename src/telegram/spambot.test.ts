import { describe, expect, it } from 'vitest';
import { parseSpamBotReply } from './spambot.ts';

describe('parseSpamBotReply', () => {
  it('reads a clean account', () => {
    expect(parseSpamBotReply('Good news, no limits are currently applied to your account. You’re free as a bird!')).toEqual({ state: 'clean' });
    expect(parseSpamBotReply('Отличные новости, к Вашему аккаунту не применено никаких ограничений. Вы свободны как птица!')).toEqual({ state: 'clean' });
  });

  it('reads a limit with the date it lifts', () => {
    const text =
      "Unfortunately, some actions can trigger a harsh response from our anti-spam systems. Your account will be automatically released on 25 Jan 2027, 18:05 UTC. Until then, you can't write to people who haven't saved your number.";
    expect(parseSpamBotReply(text)).toEqual({ state: 'limited', until: Date.UTC(2027, 0, 25, 18, 5) });
    expect(parseSpamBotReply('Ваш аккаунт будет автоматически освобождён 3 мая 2027, 09:30 UTC.')).toEqual({
      state: 'limited',
      until: Date.UTC(2027, 4, 3, 9, 30),
    });
  });

  it('reads the limit the way the simulator words it, with an RFC 1123 date', () => {
    const text =
      'Unfortunately, some actions can trigger a harsh response from our anti-spam systems. While the account is limited, you will not be able to send messages to people who do not have your number in their phone contacts. Your account will be automatically released on Sat, 03 Jan 2026 10:00:00 GMT.';
    expect(parseSpamBotReply(text)).toEqual({ state: 'limited', until: Date.UTC(2026, 0, 3, 10, 0) });
  });

  it('reads a limit without a date', () => {
    expect(parseSpamBotReply("I'm very sorry that you had to contact me. Unfortunately, your account is now limited.")).toEqual({ state: 'limited', until: null });
  });

  it('does not guess from stray words or digits', () => {
    for (const text of ['yes', '1', 'Hello! Yes, 1 report.', 'Please choose an option', '']) {
      expect(parseSpamBotReply(text).state).toBe('unknown');
    }
    expect(parseSpamBotReply('Please choose an option')).toEqual({ state: 'unknown', reply: 'Please choose an option' });
  });
});
