import { hash, verify } from "@node-rs/argon2";

// argon2id (the library default) with OWASP's minimum parameters: 19 MiB, 2 passes.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (plain: string) => hash(plain, OPTIONS);
export const verifyPassword = (hashed: string, plain: string) => verify(hashed, plain).catch(() => false);

/** Used for unknown usernames so a miss costs the same time as a wrong password. */
let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hashPassword("gridkeeper-timing-equaliser"));

export function passwordProblems(p: string): string | null {
  if (p.length < 8) return "密码至少 8 位";
  if (!/[a-zA-Z]/.test(p) || !/\d/.test(p)) return "密码须同时包含字母和数字";
  return null;
}
