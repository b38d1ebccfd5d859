/** Identities, roles and services: the derived model the access and SoD controls join. */
export { DerivedModelService, type DerivedModelCounts } from './derived-model.service';
export {
  IdentityResolver,
  nameKey,
  nameLowerVariants,
  type HolderNames,
  type IdentityResolverOptions,
  type Person,
  type ResolvedIdentity,
  type SourceIdentity,
} from './identity.resolver';
export { ProductionResourceClassifier, resourceGlob } from './production-resource.classifier';
export {
  parseRoleGroup,
  roleMembers,
  VIA_USERS,
  type MembershipRow,
  type RoleMemberRow,
} from './role-member.builder';
