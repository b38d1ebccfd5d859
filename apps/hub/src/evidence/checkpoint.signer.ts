/**
 * Ed25519 signing of checkpoints with `evidence.signingKey` (Node's crypto). A key is identified
 * by the SHA-256 of its public key (SPKI DER), which verification compares with the configured
 * key: a checkpoint signed by any other key is forged.
 */
import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { EvidenceError } from './evidence.error';
import { sha256Hex } from './ledger-hash';

export interface CheckpointSignature {
  signature: string;
  keyId: string;
  publicKey: string;
}

export class CheckpointSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;

  private constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = keyIdOf(publicKey);
  }

  /** From a PEM private key; an EvidenceError (naming the config key, never the key) when unusable. */
  static fromPem(pem: string, where = 'evidence.signingKey'): CheckpointSigner {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new EvidenceError('signing_key_invalid', `${where}: not a PEM private key`);
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new EvidenceError(
        'signing_key_invalid',
        `${where}: must be an Ed25519 private key, not ${key.asymmetricKeyType ?? 'a symmetric key'} (openssl genpkey -algorithm ed25519)`,
      );
    }
    return new CheckpointSigner(key);
  }

  /**
   * The signer for a configured key: null without one, or when it is only a public key (an
   * auditor's config verifies with it, but cannot sign).
   */
  static ofConfiguredKey(pem: string | undefined, where = 'evidence.signingKey'): CheckpointSigner | null {
    return pem && pem.includes('PRIVATE KEY') ? CheckpointSigner.fromPem(pem, where) : null;
  }

  sign(statement: Buffer): CheckpointSignature {
    return {
      signature: sign(null, statement, this.privateKey).toString('base64'),
      keyId: this.keyId,
      publicKey: this.publicKeyPem,
    };
  }
}

/** Hex SHA-256 of a public key's SPKI DER encoding. */
export function keyIdOf(key: KeyObject | string): string {
  const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

/** The key id of a PEM that holds a public or a private Ed25519 key (the verifier's trusted key). */
export function trustedKeyIdOf(pem: string, where: string): string {
  try {
    const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return keyIdOf(key);
  } catch {
    throw new EvidenceError('signing_key_invalid', `${where}: not an Ed25519 PEM key`);
  }
}

/** Whether `signature` (base64) is `publicKey`'s Ed25519 signature over `statement`. */
export function signatureValid(statement: Buffer, signature: string, publicKey: string): boolean {
  try {
    const key = createPublicKey(publicKey);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, statement, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
