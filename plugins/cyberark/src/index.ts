import { plugin } from './cyberark.plugin';

export { plugin };
export default plugin;
export {
  AUTH_METHODS,
  CyberArkAuth,
  CyberArkOptions,
  resolveOptions,
  type CyberArkAuthMethod,
  type ResolvedCyberArkOptions,
} from './cyberark.config';
export { CyberArkLogonError, LOGOFF_PATH, logonPath } from './cyberark.auth';
export { PREDEFINED_FILTER, resolveNextLink } from './cyberark.client';
export { ENTITLEMENTS_STREAM } from './cyberark-entitlements.stream';
