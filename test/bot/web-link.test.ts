import { describe, expect, it } from 'vitest';
import { harness } from './harness.ts';

/** /web: a one-time sign-in link to the dashboard, as a message of its own without a preview. */
describe('the admin bot /web command', () => {
  it('sends a sign-in link made by the web-auth service, without a link preview', async () => {
    const asked: string[] = [];
    const h = harness({
      services: {
        web: {
          link: (by) => {
            asked.push(by);
            return { url: 'http://127.0.0.1:8080/signin?t=tpl_example', expiresAt: 0 };
          },
        },
      },
    });
    await h.text('/web');
    expect(asked).toEqual(['bot:1001']);
    const sent = h.api.callsOf('sendMessage').at(-1)!;
    expect(sent.payload).toMatchObject({ link_preview_options: { is_disabled: true } });
    expect(String(sent.payload.text)).toContain('http://127.0.0.1:8080/signin?t=tpl_example');
  });

  it('says the dashboard is off when the panel serves none', async () => {
    const h = harness();
    await h.text('/web');
    expect(String(h.api.callsOf('sendMessage').at(-1)!.payload.text)).toContain('--no-web');
  });
});
