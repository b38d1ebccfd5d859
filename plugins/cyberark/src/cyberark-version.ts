/**
 * The PVWA version, and what this connector needs of it. The Gen2 Safes and Safe Members APIs
 * (`/PasswordVault/API/Safes…`, `{value, count, nextLink}`) exist from 12.0, and their member
 * filters (`includePredefinedUsers`, `memberType`, `membershipExpired`) from 12.1 (psPAS
 * `Get-PASSafe`/`Get-PASSafeMember` version checks); before, only the Gen1
 * `WebServices/PIMServices.svc/Safes` API answered, which this connector does not speak. The
 * version is `ExternalVersion` of `GET /PasswordVault/WebServices/PIMServices.svc/Server`
 * (`pvwa11-server.json`), which self-hosted PVWA and Privilege Cloud both answer.
 */

export interface PvwaVersion {
  text: string;
  major: number;
  minor: number;
}

/** The oldest PVWA whose safe members this connector reads completely (filters included). */
export const MIN_SUPPORTED = { major: 12, minor: 1 } as const;
export const MIN_SUPPORTED_TEXT = `${MIN_SUPPORTED.major}.${MIN_SUPPORTED.minor}`;

/** `12.6.0` / `14.0.0.12` → {major, minor}; undefined when not a version. */
export function parsePvwaVersion(value: unknown): PvwaVersion | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)*$/i.exec(text);
  return match ? { text, major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

export function isSupported(version: PvwaVersion): boolean {
  return (
    version.major > MIN_SUPPORTED.major ||
    (version.major === MIN_SUPPORTED.major && version.minor >= MIN_SUPPORTED.minor)
  );
}
