/**
 * Serves the dashboard at / and its two assets: a page that needs no build step and no token to
 * load; the data comes from the API with the token the user pastes.
 */
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../api/auth.decorators';
import type { ApiResponse } from '../api/http.types';
import { DASHBOARD_CSS } from './dashboard.style';
import { DASHBOARD_HTML } from './dashboard.page';
import { DASHBOARD_JS } from './dashboard.script';

const ASSETS: Record<string, { type: string; body: string }> = {
  'dashboard.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS },
  'dashboard.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
};

@ApiExcludeController()
@Public()
@Controller()
export class DashboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: ApiResponse): void {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new NotFoundException(`no dashboard asset "${file}"`);
    res.statusCode = 200;
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', 'no-cache');
    res.end(asset.body);
  }
}
