/** A PluginContext for contract tests: the real HttpClient with the plugin's auth, no waiting. */
import type { Batch, Connection, Cursor, PluginContext, ServiceKeys } from '@audit-hub/plugin-sdk';
import { pluginTestContext, readBatches } from '@audit-hub/plugin-sdk/testing';
import nock from 'nock';
import { plugin, type JenkinsAuth, type JenkinsOptions } from '../src';

export const BASE = 'https://jenkins.example.com';
export const USERNAME = 'audit-bot';
/** Shaped like a Jenkins API token (`11` + 32 hex); tests assert it never shows anywhere. */
export const TOKEN = '11a4c2e9f07b3d5168e2a9c4b7d0f3e6a1';
export const BASIC = `Basic ${Buffer.from(`${USERNAME}:${TOKEN}`).toString('base64')}`;
export const NOW = new Date('2024-06-02T00:00:00.000Z');
/** `collect.since` of the tests: the first run's horizon. */
export const SINCE = new Date('2024-05-01T00:00:00.000Z');
export const JSON_HEADERS = { 'Content-Type': 'application/json;charset=utf-8', 'X-Jenkins': '2.462.3' };
export const HTML_HEADERS = { 'Content-Type': 'text/html;charset=utf-8', 'X-Jenkins': '2.462.3' };

/**
 * The `tree=` expressions the plugin must send, written out here (not imported) so that a change
 * to them fails these tests: the sandbox estate serves exactly these.
 */
export const FOLDER_TREE =
  'jobs[name,fullName,url,_class,lastBuild[number,timestamp,queueId],firstBuild[number],nextBuildNumber,jobs[name]]';
export const BUILD_FIELDS =
  'number,result,building,timestamp,duration,' +
  'actions[_class,parameters[_class,name,value],' +
  'causes[_class,shortDescription,userId,userName,upstreamProject,upstreamBuild,upstreamUrl,user[id],timestamp],' +
  'lastBuiltRevision[SHA1,branch[SHA1,name]],remoteUrls,failCount,skipCount,totalCount,userId],' +
  'artifacts[fileName,relativePath],' +
  'fingerprint[fileName,hash,original[name,number]],' +
  'changeSet[kind,items[commitId,comment,msg]],' +
  'changeSets[kind,items[commitId,comment,msg]]';

export function buildsQuery(from: number, to: number): { tree: string } {
  return { tree: `allBuilds[${BUILD_FIELDS}]{${from},${to}}` };
}

/** Every request must carry basic auth with the user and API token. */
export function jenkins(): nock.Scope {
  return nock(BASE, { reqheaders: { authorization: BASIC } });
}

/** Folder listing `GET <folder>/api/json?tree=…` (`''` for the instance root). */
export function listing(scope: nock.Scope, folderPath: string, body: string, status = 200): nock.Scope {
  return scope
    .get(`${folderPath}/api/json`)
    .query({ tree: FOLDER_TREE })
    .reply(status, body, status === 200 ? JSON_HEADERS : HTML_HEADERS);
}

export interface TestHooks {
  /** Receives every wait the client asks for (retry backoff, Retry-After). */
  sleeps?: number[];
  services?: ServiceKeys[];
}

export function makeContext(
  options: JenkinsOptions = {},
  hooks: TestHooks = {},
): PluginContext<JenkinsAuth, JenkinsOptions> {
  return pluginTestContext(plugin, {
    connectorId: 'jenkins',
    baseUrl: BASE,
    auth: { username: USERNAME, token: TOKEN },
    options,
    now: NOW,
    services: hooks.services,
    sleeps: hooks.sleeps,
  });
}

export async function connect(options: JenkinsOptions = {}, hooks: TestHooks = {}): Promise<Connection> {
  return plugin.connect(makeContext(options, hooks));
}

/** Every batch of one stream for one read. */
export async function read(
  streamName: 'deployments' | 'builds',
  options: JenkinsOptions = {},
  cursor: Cursor | null = null,
  since: Date = SINCE,
  hooks: TestHooks = {},
): Promise<Batch[]> {
  return readBatches(await connect(options, hooks), streamName, { cursor, full: false, since });
}

/** The records of one kind across batches, by externalId. */
export { recordsByKind as recordsOf } from '@audit-hub/plugin-sdk/testing';

/** The cursor the hub would save after this read: the last one a batch carried. */
export function lastCursor(batches: Batch[]): Cursor | undefined {
  return batches.filter((batch) => batch.cursor !== undefined).pop()?.cursor;
}
