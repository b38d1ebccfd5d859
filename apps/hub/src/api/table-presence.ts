/**
 * Whether optional tables exist (evidence_entry, quality_gate come with their own migrations):
 * asked once per table and remembered once present.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class TablePresence {
  private readonly present = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  async has(table: string): Promise<boolean> {
    if (this.present.has(table)) return true;
    const runner = this.dataSource.createQueryRunner();
    try {
      const exists = await runner.hasTable(table);
      if (exists) this.present.add(table);
      return exists;
    } finally {
      await runner.release();
    }
  }
}
