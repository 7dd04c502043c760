// Argon2id through @node-rs/argon2: a vetted KDF with prebuilt binaries on npm, so
// nothing compiles or downloads at install time. Parameters are the library's
// defaults (OWASP's recommended argon2id settings); the hash string records them,
// so raising them later keeps old hashes verifiable.
import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash is a failed login, not a server error.
    return false;
  }
}

// A fixed hash to verify against when the user does not exist, so a login for an
// unknown email costs the same time as one with a wrong password.
let dummyHash: Promise<string> | undefined;
export function timingSafeDummyVerify(password: string): Promise<boolean> {
  dummyHash ??= hash('gongdan-timing-equaliser');
  return dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
}
