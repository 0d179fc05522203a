// The isolates live with the reason texts every interface shares; the bot's screens keep this path.
export { faNum, iso, stripIsolates } from '../../i18n/bidi.ts';
