/** Reads stored findings for the `findings` command and the API, filtered on allow-listed columns. */
import { Injectable } from '@nestjs/common';
import { DataSource, FindOptionsWhere, In } from 'typeorm';
import { FINDING_STATUSES, FindingStatus } from '@audit-hub/domain';
import { FindingEntity } from '../store/entities/finding.entity';
import { HubError } from '../common/errors';

export interface FindingFilter {
  status?: string;
  control?: string;
  service?: string;
}

@Injectable()
export class FindingQueryService {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: FindingFilter = {}): Promise<FindingEntity[]> {
    const where: FindOptionsWhere<FindingEntity> = {};
    if (filter.status) {
      const statuses = filter.status.split(',').map((s) => s.trim());
      const bad = statuses.filter((s) => !(FINDING_STATUSES as readonly string[]).includes(s));
      if (bad.length) {
        throw new HubError(
          'usage',
          `--status: unknown status ${bad.join(', ')} (one of ${FINDING_STATUSES.join(', ')})`,
        );
      }
      where.status = In(statuses as FindingStatus[]);
    }
    if (filter.control) where.controlId = filter.control;
    if (filter.service) where.service = filter.service;
    return this.dataSource
      .getRepository(FindingEntity)
      .find({ where, order: { controlId: 'ASC', subjectRef: 'ASC' } });
  }
}
