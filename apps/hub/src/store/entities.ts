/** Every entity of the hub's store, for the DataSource and `TypeOrmModule.forFeature`. */
import { BuildEntity } from './entities/build.entity';
import { ConfigItemEntity } from './entities/config-item.entity';
import { EntitlementEntity } from './entities/entitlement.entity';
import { EvidenceCheckpointEntity } from './entities/evidence-checkpoint.entity';
import { EvidenceEntryEntity } from './entities/evidence-entry.entity';
import { EvidenceHeadEntity } from './entities/evidence-head.entity';
import { GroupMembershipEntity } from './entities/group-membership.entity';
import { PersonNameEntity } from './entities/person-name.entity';
import { PersonEntity } from './entities/person.entity';
import { QualityGateEntity } from './entities/quality-gate.entity';
import { RoleMemberEntity } from './entities/role-member.entity';
import { ServiceInfoEntity } from './entities/service-info.entity';
import { ChangeApprovalEntity } from './entities/change-approval.entity';
import { ChangeRequestEntity } from './entities/change-request.entity';
import { CommitEntity } from './entities/commit.entity';
import { ControlResultEntity } from './entities/control-result.entity';
import { DeploymentMrEntity } from './entities/deployment-mr.entity';
import { DeploymentEntity } from './entities/deployment.entity';
import { FindingEventEntity } from './entities/finding-event.entity';
import { FindingEntity } from './entities/finding.entity';
import { IdentityEntity } from './entities/identity.entity';
import { LinkEntity } from './entities/link.entity';
import { MergeRequestEntity } from './entities/merge-request.entity';
import { RecordEntity } from './entities/record.entity';
import { RunEntity } from './entities/run.entity';
import { ScheduleTickEntity } from './entities/schedule-tick.entity';
import { SourceStatusEntity } from './entities/source-status.entity';
import { StreamCursorEntity } from './entities/stream-cursor.entity';
import { ShippedRangeEntity } from './entities/shipped-range.entity';
import { RemediationActionEntity } from '../remediation/remediation-action.entity';
import { RemediationTicketEntity } from '../remediation/remediation-ticket.entity';
import { ApiTokenEntity } from '../auth/api-token.entity';
import { ApiCallEntity } from '../auth/api-call.entity';
import { ExceptionEntity } from '../exceptions/exception.entity';

export { ChangeApprovalEntity } from './entities/change-approval.entity';
export { ChangeRequestEntity } from './entities/change-request.entity';
export { CommitEntity } from './entities/commit.entity';
export { ControlResultEntity } from './entities/control-result.entity';
export { DeploymentMrEntity } from './entities/deployment-mr.entity';
export { DeploymentEntity } from './entities/deployment.entity';
export { FindingEventEntity } from './entities/finding-event.entity';
export { FindingEntity, type FindingRelated } from './entities/finding.entity';
export { IdentityEntity } from './entities/identity.entity';
export { LinkEntity, type LinkSource } from './entities/link.entity';
export { MergeRequestEntity } from './entities/merge-request.entity';
export { RecordEntity } from './entities/record.entity';
export { RunEntity, type RunTrigger } from './entities/run.entity';
export { ScheduleTickEntity } from './entities/schedule-tick.entity';
export { SourceStatusEntity, type SourceProblem } from './entities/source-status.entity';
export { StreamCursorEntity } from './entities/stream-cursor.entity';
export { ShippedRangeEntity } from './entities/shipped-range.entity';

export { BuildEntity } from './entities/build.entity';
export { ConfigItemEntity } from './entities/config-item.entity';
export { EntitlementEntity } from './entities/entitlement.entity';
export { EvidenceCheckpointEntity } from './entities/evidence-checkpoint.entity';
export { EvidenceEntryEntity, type EvidenceEntryType } from './entities/evidence-entry.entity';
export { EvidenceHeadEntity } from './entities/evidence-head.entity';
export { GroupMembershipEntity } from './entities/group-membership.entity';
export { PersonNameEntity } from './entities/person-name.entity';
export { PersonEntity } from './entities/person.entity';
export { QualityGateEntity } from './entities/quality-gate.entity';
export { RoleMemberEntity } from './entities/role-member.entity';
export { ServiceInfoEntity } from './entities/service-info.entity';
export { RemediationActionEntity } from '../remediation/remediation-action.entity';
export { RemediationTicketEntity } from '../remediation/remediation-ticket.entity';
export { ApiTokenEntity } from '../auth/api-token.entity';
export { ApiCallEntity } from '../auth/api-call.entity';
export { ExceptionEntity, type ExceptionStatus } from '../exceptions/exception.entity';

export const ENTITIES = [
  RecordEntity,
  DeploymentEntity,
  ChangeRequestEntity,
  ChangeApprovalEntity,
  MergeRequestEntity,
  DeploymentMrEntity,
  CommitEntity,
  IdentityEntity,
  LinkEntity,
  RunEntity,
  SourceStatusEntity,
  StreamCursorEntity,
  ShippedRangeEntity,
  FindingEntity,
  FindingEventEntity,
  ControlResultEntity,
  ScheduleTickEntity,
  EntitlementEntity,
  GroupMembershipEntity,
  ConfigItemEntity,
  QualityGateEntity,
  BuildEntity,
  PersonEntity,
  PersonNameEntity,
  RoleMemberEntity,
  ServiceInfoEntity,
  EvidenceEntryEntity,
  EvidenceCheckpointEntity,
  EvidenceHeadEntity,
  RemediationActionEntity,
  RemediationTicketEntity,
  ApiTokenEntity,
  ApiCallEntity,
  ExceptionEntity,
];
