import { Module } from '@nestjs/common';
import { ControlsCommand } from './commands/controls.command';
import { MigrateCommand } from './commands/migrate.command';
import { ConnectorsCheckCommand, ConnectorsCommand } from './commands/connectors.command';
import { ReconcileCommand } from './commands/reconcile.command';
import { FindingsCommand } from './commands/findings.command';
import { ServeCommand } from './commands/serve.command';
import { DemoCommand } from './commands/demo.command';
import { SandboxCommand } from './commands/sandbox.command';
import { EvidenceCommand, EvidenceVerifyCommand } from './commands/evidence.command';
import { ReportCommand } from './commands/report.command';
import {
  TokensCommand,
  TokensCreateCommand,
  TokensListCommand,
  TokensRevokeCommand,
} from './commands/tokens.command';
import { UsageContract } from './usage.contract';

@Module({
  providers: [
    ControlsCommand,
    MigrateCommand,
    ConnectorsCommand,
    ConnectorsCheckCommand,
    ReconcileCommand,
    FindingsCommand,
    ServeCommand,
    DemoCommand,
    SandboxCommand,
    EvidenceCommand,
    EvidenceVerifyCommand,
    ReportCommand,
    TokensCommand,
    TokensCreateCommand,
    TokensListCommand,
    TokensRevokeCommand,
    UsageContract,
  ],
})
export class CliModule {}
