import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { InstantColumn, IntegerColumn, TextColumn, VarcharColumn } from '../store/entities/columns';

/** One API call: who, what, when and how it ended (anonymous and refused calls included). */
@Entity({ name: 'api_call' })
@Index('IDX_api_call_at', ['at'])
@Index('IDX_api_call_principal', ['principal', 'at'])
export class ApiCallEntity {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'integer' })
  id!: number;

  @InstantColumn('at')
  at!: string;

  /** `token:<name>` or `oidc:<subject>`; null when the caller could not be authenticated. */
  @VarcharColumn('principal', 255, { nullable: true })
  principal!: string | null;

  @VarcharColumn('role', 10, { nullable: true })
  role!: string | null;

  @VarcharColumn('team', 255, { nullable: true })
  team!: string | null;

  @VarcharColumn('method', 10)
  method!: string;

  /** Path and query string, as requested. */
  @TextColumn('path')
  path!: string;

  @IntegerColumn('status')
  status!: number;

  @IntegerColumn('duration_ms')
  durationMs!: number;
}
