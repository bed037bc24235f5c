import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { type FieldIssue, fieldIssue } from '../domain/errors.ts';

/**
 * Passwords are hashed with scrypt (memory-hard: N = 2^15, r = 8 needs 32 MiB per guess) and a
 * random salt; the stored text names its parameters so they can be raised later without breaking
 * old hashes.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** scrypt$N$r$p$salt$hash, base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Compares in constant time; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await derive(password, salt, n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/** A hash of a random password: what an unknown username is checked against, so both take as long. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(12).toString('hex'));
  return dummy;
}

const COMMON = new Set(['password123', '1234567890', 'qwertyuiop', 'admin12345', 'renkou12345']);

/** The password rules: 10 characters or more, not only digits, not the username, not a known common one. */
export function checkPassword(password: string, username: string, field = 'password'): FieldIssue[] {
  if (password.length < 10)
    return [
      fieldIssue(
        'password_too_short',
        field,
        '密码至少需要 10 个字符',
        'The password needs at least 10 characters',
      ),
    ];
  if (password.length > 200)
    return [
      fieldIssue(
        'password_too_long',
        field,
        '密码不能超过 200 个字符',
        'The password may have at most 200 characters',
      ),
    ];
  if (/^\d+$/.test(password))
    return [
      fieldIssue('password_only_digits', field, '密码不能全是数字', 'The password cannot be digits only'),
    ];
  if (password.toLowerCase().includes(username.toLowerCase()))
    return [
      fieldIssue(
        'password_contains_username',
        field,
        '密码不能包含用户名',
        'The password cannot contain the username',
      ),
    ];
  if (COMMON.has(password.toLowerCase()))
    return [
      fieldIssue(
        'password_common',
        field,
        '这个密码太常见，请换一个',
        'This password is too common; choose another',
      ),
    ];
  return [];
}
