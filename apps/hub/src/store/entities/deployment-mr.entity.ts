import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  CONNECTOR_LENGTH,
  EXTERNAL_ID_LENGTH,
  IntegerColumn,
  VarcharColumn,
  VarcharPrimaryColumn,
} from './columns';

/**
 * Projection: which merge requests shipped with a deployment (`deployment-mr` records). Both
 * sides are external ids of the same connector: `deployment.external_id` and
 * `merge_request.external_id`.
 */
@Entity({ name: 'deployment_mr' })
@Index('IDX_deployment_mr_deployment', ['connector', 'deploymentId'])
@Index('IDX_deployment_mr_merge_request', ['connector', 'mergeRequestId'])
export class DeploymentMrEntity {
  @VarcharPrimaryColumn('connector', CONNECTOR_LENGTH)
  connector!: string;

  /** `<deployment externalId>→<mr externalId>`. */
  @VarcharPrimaryColumn('external_id', EXTERNAL_ID_LENGTH)
  externalId!: string;

  @IntegerColumn('record_id')
  recordId!: number;

  @VarcharColumn('deployment_id', EXTERNAL_ID_LENGTH)
  deploymentId!: string;

  @VarcharColumn('merge_request_id', EXTERNAL_ID_LENGTH)
  mergeRequestId!: string;

  @BooleanColumn('deleted')
  deleted!: boolean;
}
