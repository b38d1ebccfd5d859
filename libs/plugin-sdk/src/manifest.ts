import type { RecordKind } from '@audit-hub/domain';
/** The manifest every plugin exports, and its validation (used by the hub's registry and by authors' tests). */

/** The SDK version this package implements; plugins declare a semver range over it. */
export const SDK_VERSION = '1.0.0';

export const CAPABILITIES = [
  'deployments',
  'builds',
  'merge-requests',
  'commits',
  'changes',
  'identities',
  'groups',
  'entitlements',
  'inventory',
  'quality-gates',
  'tracker',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** The record kinds each capability stands for: what a control that needs a kind can expect. */
export const CAPABILITY_KINDS: Readonly<Record<Capability, readonly RecordKind[]>> = {
  deployments: ['deployment'],
  builds: ['build'],
  'merge-requests': ['merge-request', 'deployment-mr'],
  commits: ['commit'],
  changes: ['change', 'change-approval'],
  identities: ['identity'],
  groups: ['group-membership'],
  entitlements: ['entitlement'],
  inventory: ['config-item'],
  'quality-gates': ['quality-gate'],
  tracker: [],
};

export interface PluginManifest {
  /** kebab-case, unique among loaded plugins. */
  id: string;
  name: string;
  version: string;
  /** semver range of SDK versions the plugin was written for, e.g. `^1.0.0`. */
  sdkVersion: string;
  capabilities: Capability[];
  description?: string;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Problems with a manifest, each naming the field; empty when valid. */
export function manifestProblems(manifest: unknown): string[] {
  if (!manifest || typeof manifest !== 'object') return ['manifest: must be an object'];
  const m = manifest as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof m.id !== 'string' || !KEBAB.test(m.id))
    problems.push('manifest.id: must be a kebab-case string');
  if (typeof m.name !== 'string' || !m.name.trim())
    problems.push('manifest.name: must be a non-empty string');
  if (typeof m.version !== 'string' || !m.version.trim()) problems.push('manifest.version: must be a string');
  if (typeof m.sdkVersion !== 'string' || !m.sdkVersion.trim())
    problems.push('manifest.sdkVersion: must be a semver range string');
  if (!Array.isArray(m.capabilities) || m.capabilities.length === 0) {
    problems.push('manifest.capabilities: must be a non-empty list');
  } else {
    m.capabilities.forEach((c, i) => {
      if (!(CAPABILITIES as readonly unknown[]).includes(c))
        problems.push(
          `manifest.capabilities[${i}]: unknown capability ${JSON.stringify(c)} (one of ${CAPABILITIES.join(', ')})`,
        );
    });
  }
  return problems;
}
