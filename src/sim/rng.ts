import { createHash } from 'node:crypto';
import { seededRandom } from '../core/random.ts';

/** A small seeded PRNG (mulberry32): the same seed builds the same world. */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: string | number) {
    this.next = seededRandom(createHash('sha256').update(String(seed)).digest().readUInt32LE(0));
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  token(n: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

export const FIRST_NAMES = [
  'Anna', 'Boris', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hassan', 'Irina', 'Jonas', 'Kira', 'Leo', 'Maya', 'Nikolai', 'Olga', 'Pavel',
  'Quinn', 'Rosa', 'Sergei', 'Tara', 'Umar', 'Vera', 'Wanda', 'Xenia', 'Yusuf', 'Zoe', 'Amir', 'Bianca', 'Carlos', 'Dana', 'Emil', 'Fatima',
];

export const LAST_NAMES = [
  'Ivanova', 'Petrov', 'Smith', 'Novak', 'Kowalski', 'Garcia', 'Rossi', 'Muller', 'Haddad', 'Tanaka', 'Olsen', 'Silva', 'Costa', 'Weber',
  'Lindqvist', 'Horvat', 'Demir', 'Popescu', 'Kaur', 'Nguyen',
];

export const TOPICS = [
  'Rust', 'Gardening', 'Crypto', 'Photography', 'Chess', 'Cycling', 'Cooking', 'Startups', 'Linux', 'Travel', 'Football', 'Jazz', 'Astronomy',
  'Design', 'Running', 'Books', 'Coffee', 'Python', 'Hiking', 'Movies',
];

export const CHAT_SUFFIXES = ['Club', 'Hub', 'Chat', 'Community', 'Lounge', 'Corner'];
export const CHANNEL_SUFFIXES = ['News', 'Daily', 'Digest', 'Updates'];

export const PHRASES = [
  'Good morning everyone!',
  'Has anyone tried the new release?',
  'Looking for recommendations, any ideas?',
  'This is exactly what I needed, thanks.',
  'Meeting is moved to Thursday.',
  'Check the pinned message for the rules.',
  'I disagree, but fair point.',
  'Price drop today, worth a look.',
  'Who is coming this weekend?',
  'Great post, saved it.',
  'Does this work on Linux too?',
  'New episode is out now.',
  'Reminder: be kind to each other.',
  'Free giveaway for members this week.',
  'Any tips for beginners?',
  'Weekly summary is below.',
];

export const POLL_QUESTIONS: ReadonlyArray<{ q: string; options: string[] }> = [
  { q: 'Which day suits you best?', options: ['Monday', 'Wednesday', 'Friday', 'Saturday'] },
  { q: 'What should we cover next?', options: ['Basics', 'Advanced tricks', 'Tooling', 'Q&A session'] },
  { q: 'How did you hear about us?', options: ['A friend', 'Search', 'Another channel'] },
  { q: 'Favourite format?', options: ['Text', 'Video', 'Live stream', 'Podcast', 'Slides'] },
];
