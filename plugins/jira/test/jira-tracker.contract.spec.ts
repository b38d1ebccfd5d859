/** Contract tests of the Jira tracker (Cloud REST v3 and Data Center REST v2) on the real samples. */
import nock from 'nock';
import { isUpstreamError, UpstreamError } from '@audit-hub/http';
import { BASIC, CLOUD, DATACENTER, TOKEN, tracker } from './context';
import { fixture, sample } from './samples';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const MARKER = '3f2a9c01d4e5b677';
const LABEL = `audit-hub-${MARKER}`;
const JQL = `project = "SEC" AND labels = "${LABEL}" ORDER BY created ASC`;
const BY_DESCRIPTION = `project = "SEC" AND description ~ "${MARKER}" ORDER BY created ASC`;
const MARKER_PARAGRAPH = {
  type: 'paragraph',
  content: [{ type: 'text', text: `audit-hub dedupe marker: ${MARKER}` }],
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function cloud(): nock.Scope {
  return nock(CLOUD, { reqheaders: { authorization: BASIC } });
}

function datacenter(): nock.Scope {
  return nock(DATACENTER, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (err) {
    if (isUpstreamError(err)) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const TICKET = {
  marker: MARKER,
  title: 'RM-CHG-001 Unlinked production deployment: gitlab:acme/payments-api#1042',
  body: '## What was found\nNo change linked.\n\n- Subject: `gitlab:acme/payments-api#1042`\n- Link: https://gitlab.example.com/acme/payments-api/-/environments',
  labels: ['audit-hub', 'RM-CHG-001', 'severity high'],
};

describe('jira tracker on Cloud (REST v3, contract)', () => {
  it('creates an issue with the marker label and an ADF description, and links it', async () => {
    let sent: any;
    const scope = cloud()
      .post('/rest/api/3/issue', (body) => {
        sent = body;
        return true;
      })
      .reply(201, sample('issue-create-201.json'), JSON_HEADERS)
      // Read back: what Jira stored holds the marker.
      .get('/rest/api/3/issue/ED-24')
      .query({ fields: 'labels,description' })
      .reply(200, fixture('issue-get-created.json'), JSON_HEADERS);

    const ref = await (await tracker(CLOUD, { project: 'SEC', labels: ['compliance'] })).createTicket(TICKET);
    scope.done();

    expect(ref).toEqual({ key: 'ED-24', url: `${CLOUD}/browse/ED-24`, state: 'open' });
    expect(sent.fields).toMatchObject({
      project: { key: 'SEC' },
      issuetype: { name: 'Task' },
      summary: TICKET.title,
      labels: [LABEL, 'compliance', 'audit-hub', 'RM-CHG-001', 'severity-high'],
    });
    expect(sent.fields.description).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'What was found' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'No change linked.' }] },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    { type: 'text', text: 'Subject: ' },
                    { type: 'text', text: 'gitlab:acme/payments-api#1042', marks: [{ type: 'code' }] },
                  ],
                },
              ],
            },
            {
              type: 'listItem',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    { type: 'text', text: 'Link: ' },
                    {
                      type: 'text',
                      text: 'https://gitlab.example.com/acme/payments-api/-/environments',
                      marks: [
                        {
                          type: 'link',
                          attrs: { href: 'https://gitlab.example.com/acme/payments-api/-/environments' },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
        MARKER_PARAGRAPH,
      ],
    });
  });

  it('creates again without labels when the create screen has no Labels field, and keeps the marker in the description', async () => {
    const bodies: any[] = [];
    const scope = cloud()
      .post('/rest/api/3/issue', (body) => {
        bodies.push(body);
        return true;
      })
      .reply(400, fixture('issue-create-400-labels-not-on-screen.json'), JSON_HEADERS)
      .post('/rest/api/3/issue', (body) => {
        bodies.push(body);
        return true;
      })
      .reply(201, sample('issue-create-201.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-24')
      .query({ fields: 'labels,description' })
      .reply(200, fixture('issue-get-created-unlabelled.json'), JSON_HEADERS);

    const ref = await (await tracker(CLOUD)).createTicket(TICKET);
    scope.done();
    expect(ref.key).toBe('ED-24');
    expect(bodies[0].fields.labels).toContain(LABEL);
    expect(bodies[1].fields).not.toHaveProperty('labels');
    expect(bodies[1].fields.description.content.at(-1)).toEqual(MARKER_PARAGRAPH);
  });

  it('finds a ticket filed without labels by the marker line of its description, not by one that only quotes it', async () => {
    const scope = cloud()
      .post('/rest/api/3/search/jql', (b) => b.jql === JQL)
      .reply(200, '{"issues":[],"isLast":true}', JSON_HEADERS)
      .post('/rest/api/3/search/jql', {
        jql: BY_DESCRIPTION,
        fields: ['summary', 'status', 'labels', 'created', 'description'],
        maxResults: 50,
      })
      .reply(200, fixture('search-jql-post-description.json'), JSON_HEADERS);

    expect(await (await tracker(CLOUD)).findTicket(MARKER)).toEqual({
      key: 'ED-1',
      url: `${CLOUD}/browse/ED-1`,
      state: 'open',
    });
    scope.done();
  });

  it('fails loudly when Jira kept the marker neither as a label nor in the description', async () => {
    const scope = cloud()
      .post('/rest/api/3/issue')
      .reply(201, sample('issue-create-201.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-24')
      .query({ fields: 'labels,description' })
      .reply(200, fixture('issue-get-created-stripped.json'), JSON_HEADERS);

    const err = await failure((await tracker(CLOUD)).createTicket(TICKET));
    scope.done();
    expect(err).toMatchObject({ code: 'client', retryable: false });
    expect(err.message).toContain(`issue ED-24 was created, but Jira kept neither its marker label ${LABEL}`);
  });

  it('fails loudly when the credentials may not see the issue they created', async () => {
    const scope = cloud()
      .post('/rest/api/3/issue')
      .reply(201, sample('issue-create-201.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-24')
      .query({ fields: 'labels,description' })
      .reply(
        404,
        '{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}',
        JSON_HEADERS,
      );

    const err = await failure((await tracker(CLOUD)).createTicket(TICKET));
    scope.done();
    expect(err).toMatchObject({ code: 'client', retryable: false });
    expect(err.message).toContain('issue ED-24 was created, but these credentials may not see it');
  });

  it("names Jira's own words on a refused create, is not retryable, and sends it once", async () => {
    const scope = cloud().post('/rest/api/3/issue').reply(400, sample('issue-create-400.json'), JSON_HEADERS);

    const err = await failure((await tracker(CLOUD)).createTicket(TICKET));
    scope.done();

    expect(err).toMatchObject({ code: 'client', status: 400, retryable: false });
    expect(err.message).toContain("Field 'priority' is required");
  });

  it('never retries a create that may have reached Jira (a 503 is left to the hub, which searches first)', async () => {
    const scope = cloud().post('/rest/api/3/issue').reply(503, '{"errorMessages":["Service Unavailable"]}');

    const err = await failure((await tracker(CLOUD)).createTicket(TICKET));
    scope.done();

    expect(err).toMatchObject({ code: 'server', status: 503, retryable: true });
  });

  it('finds a ticket by its marker with the enhanced search, and says whether it is open', async () => {
    const scope = cloud()
      .post('/rest/api/3/search/jql', {
        jql: JQL,
        fields: ['summary', 'status', 'labels', 'created'],
        maxResults: 50,
      })
      .reply(200, fixture('search-jql-post.json'), JSON_HEADERS);

    const t = await tracker(CLOUD);
    expect(await t.findTicket(MARKER)).toEqual({ key: 'ED-1', url: `${CLOUD}/browse/ED-1`, state: 'open' });
    scope.done();
    // Atlassian: a write shows in search "from a few seconds to minutes" later.
    expect(t.searchConsistencyMs).toBe(60_000);
  });

  it('follows nextPageToken when a page holds no match yet, and answers null when nothing matches', async () => {
    // The docs' paging contract: a token while more pages follow, no token (and isLast) on the last.
    const scope = cloud()
      .post('/rest/api/3/search/jql', (b) => b.jql === JQL && b.nextPageToken === undefined)
      .reply(200, '{"issues":[],"nextPageToken":"CAEaAggD","isLast":false}', JSON_HEADERS)
      .post('/rest/api/3/search/jql', (b) => b.jql === JQL && b.nextPageToken === 'CAEaAggD')
      .reply(200, '{"issues":[],"isLast":true}', JSON_HEADERS)
      .post('/rest/api/3/search/jql', (b) => b.jql === BY_DESCRIPTION)
      .reply(200, '{"issues":[],"isLast":true}', JSON_HEADERS);

    expect(await (await tracker(CLOUD)).findTicket(MARKER)).toBeNull();
    scope.done();
  });

  it('refuses a marker that cannot be a Jira label before calling Jira', async () => {
    await expect((await tracker(CLOUD)).findTicket('two words')).rejects.toThrow(/cannot be a label/);
  });

  it('comments first, then closes through the configured transition', async () => {
    let comment: any;
    const scope = cloud()
      .post('/rest/api/3/issue/ED-1/comment', (body) => {
        comment = body;
        return true;
      })
      .reply(201, fixture('comment-add-201.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-1')
      .query({ fields: 'status' })
      .reply(200, sample('issue-get.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-1/transitions')
      .query({ expand: 'transitions.fields' })
      .reply(200, sample('issue-transitions-get.json'), JSON_HEADERS)
      .post('/rest/api/3/issue/ED-1/transitions', { transition: { id: '2' } })
      .reply(204);

    await (
      await tracker(CLOUD, { project: 'SEC', closeTransition: 'Close Issue' })
    ).closeTicket('ED-1', 'Resolved by run r-2.');
    scope.done();
    expect(comment.body).toEqual({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Resolved by run r-2.' }] }],
    });
  });

  it('matches a configured transition by its target status too', async () => {
    const scope = cloud()
      .get('/rest/api/3/issue/ED-1')
      .query({ fields: 'status' })
      .reply(200, sample('issue-get.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-1/transitions')
      .query({ expand: 'transitions.fields' })
      .reply(200, sample('issue-transitions-get.json'), JSON_HEADERS)
      .post('/rest/api/3/issue/ED-1/transitions', { transition: { id: '711' } })
      .reply(204);

    await (await tracker(CLOUD, { project: 'SEC', closeTransition: 'Closed' })).closeTicket('ED-1');
    scope.done();
  });

  it('names the transitions on offer when none closes the issue', async () => {
    const scope = cloud()
      .get('/rest/api/3/issue/ED-1')
      .query({ fields: 'status' })
      .reply(200, sample('issue-get.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-1/transitions')
      .query({ expand: 'transitions.fields' })
      .reply(200, sample('issue-transitions-get.json'), JSON_HEADERS);

    const err = await failure((await tracker(CLOUD)).closeTicket('ED-1'));
    scope.done();
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(
      'issue ED-1 offers no transition "Done" (available: Close Issue → In Progress, QA Review → Closed); set options.closeTransition',
    );
  });

  it("sets the Resolution a closing transition's screen requires, as configured, else the first one offered", async () => {
    const close = async (options: Record<string, string>, resolution: string) => {
      const scope = cloud()
        .get('/rest/api/3/issue/ED-1')
        .query({ fields: 'status' })
        .reply(200, sample('issue-get.json'), JSON_HEADERS)
        .get('/rest/api/3/issue/ED-1/transitions')
        .query({ expand: 'transitions.fields' })
        .reply(200, fixture('issue-transitions-get-resolution.json'), JSON_HEADERS)
        .post('/rest/api/3/issue/ED-1/transitions', {
          transition: { id: '31' },
          fields: { resolution: { name: resolution } },
        })
        .reply(204);
      await (await tracker(CLOUD, { project: 'SEC', ...options })).closeTicket('ED-1');
      scope.done();
    };
    await close({}, 'Done');
    await close({ closeResolution: "won't do" }, "Won't Do");
    await close({ closeResolution: 'Fixed' }, 'Done');
  });

  it('names a required field of the transition screen it cannot fill, and the option to change, before Jira refuses', async () => {
    const scope = cloud()
      .get('/rest/api/3/issue/ED-1')
      .query({ fields: 'status' })
      .reply(200, sample('issue-get.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-1/transitions')
      .query({ expand: 'transitions.fields' })
      .reply(200, fixture('issue-transitions-get-resolution.json'), JSON_HEADERS);

    const err = await failure(
      (await tracker(CLOUD, { project: 'SEC', closeTransition: 'Close with review' })).closeTicket('ED-1'),
    );
    scope.done();
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(
      'transition "Close with review" of issue ED-1 requires "Root cause", which audit-hub cannot fill; set options.closeTransition',
    );
  });

  it('leaves an issue that is already done as it is', async () => {
    const scope = cloud()
      .get('/rest/api/3/issue/ED-1')
      .query({ fields: 'status' })
      .reply(200, fixture('issue-get-status-done.json'), JSON_HEADERS);

    await (await tracker(CLOUD)).closeTicket('ED-1');
    scope.done();
  });

  it('reopens a done issue, then comments', async () => {
    const scope = cloud()
      .get('/rest/api/3/issue/ED-1')
      .query({ fields: 'status' })
      .reply(200, fixture('issue-get-status-done.json'), JSON_HEADERS)
      .get('/rest/api/3/issue/ED-1/transitions')
      .query({ expand: 'transitions.fields' })
      .reply(200, sample('issue-transitions-get.json'), JSON_HEADERS)
      .post('/rest/api/3/issue/ED-1/transitions', { transition: { id: '2' } })
      .reply(204)
      .post('/rest/api/3/issue/ED-1/comment')
      .reply(201, fixture('comment-add-201.json'), JSON_HEADERS);

    await (
      await tracker(CLOUD, { project: 'SEC', reopenTransition: 'In Progress' })
    ).reopenTicket('ED-1', 'Seen again by run r-3.');
    scope.done();
  });

  it('never prints the token, even when Jira echoes it', async () => {
    const scope = cloud()
      .post('/rest/api/3/issue')
      .reply(401, `{"errorMessages":["token ${TOKEN} is not valid"],"errors":{}}`, JSON_HEADERS);

    const err = await failure((await tracker(CLOUD)).createTicket(TICKET));
    scope.done();
    expect(err.code).toBe('unauthorized');
    expect(err.message).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
  });
});

describe('jira tracker on Data Center (REST v2, contract)', () => {
  it('finds a ticket with the offset search and a bearer token', async () => {
    const scope = datacenter()
      .get('/rest/api/2/search')
      .query({ jql: JQL, fields: 'summary,status,labels,created', startAt: '0', maxResults: '50' })
      .reply(200, sample('search-get.json'), JSON_HEADERS);

    const t = await tracker(DATACENTER);
    // The sample's issue carries no status field: an issue of unknown status counts as open.
    expect(await t.findTicket(MARKER)).toEqual({
      key: 'ED-1',
      url: `${DATACENTER}/browse/ED-1`,
      state: 'open',
    });
    scope.done();
    expect(t.searchConsistencyMs).toBe(0);
  });

  it('creates with a wiki-markup description, since v2 takes plain strings', async () => {
    let sent: any;
    const scope = datacenter()
      .post('/rest/api/2/issue', (body) => {
        sent = body;
        return true;
      })
      .reply(201, sample('issue-create-201.json'), JSON_HEADERS)
      .get('/rest/api/2/issue/ED-24')
      .query({ fields: 'labels,description' })
      .reply(200, fixture('issue-get-created-v2.json'), JSON_HEADERS);

    const ref = await (await tracker(DATACENTER, { project: 'SEC', issueType: 'Bug' })).createTicket(TICKET);
    scope.done();
    expect(ref).toEqual({ key: 'ED-24', url: `${DATACENTER}/browse/ED-24`, state: 'open' });
    expect(sent.fields.issuetype).toEqual({ name: 'Bug' });
    expect(sent.fields.description).toBe(
      `h3. What was found\n\nNo change linked.\n\n* Subject: {{gitlab:acme/payments-api#1042}}\n* Link: [https://gitlab.example.com/acme/payments-api/-/environments]\n\naudit-hub dedupe marker: ${MARKER}`,
    );
  });

  it('comments with a plain string body', async () => {
    const scope = datacenter()
      .post('/rest/api/2/issue/ED-1/comment', { body: 'Still open as of run r-9.' })
      .reply(201, fixture('comment-add-201.json'), JSON_HEADERS);

    await (await tracker(DATACENTER)).comment('ED-1', 'Still open as of run r-9.');
    scope.done();
  });
});
