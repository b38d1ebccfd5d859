/** Every entity of the hub's store, for the DataSource and `TypeOrmModule.forFeature`. */
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
  FindingEntity,
  FindingEventEntity,
  ControlResultEntity,
  ScheduleTickEntity,
];
