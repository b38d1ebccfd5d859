/**
 * Team scoping: a team-scoped principal sees only its team's findings, releases and exceptions.
 * A finding's team is stored on it; a deployment's comes from the service catalog (config
 * `services[].team`).
 */
import { ForbiddenException } from '@nestjs/common';
import type { AppConfig } from '../config/config.schema';
import type { Principal } from '../auth/principal';

/** The team to filter on: the principal's scope, else the one asked for (if any). */
export function effectiveTeam(principal: Principal, asked?: string): string | undefined {
  if (principal.team) {
    if (asked !== undefined && asked !== principal.team)
      throw new ForbiddenException(
        `query parameter team: this token is scoped to team ${principal.team} and cannot read team ${asked}`,
      );
    return principal.team;
  }
  return asked;
}

/** The services the catalog gives to a team. */
export function servicesOfTeam(config: AppConfig, team: string): string[] {
  return (config.services ?? []).filter((s) => s.team === team).map((s) => s.name);
}

/** Whether a principal may see something of this service. */
export function canSeeService(config: AppConfig, principal: Principal, service: string | null): boolean {
  if (!principal.team) return true;
  return !!service && servicesOfTeam(config, principal.team).includes(service);
}
