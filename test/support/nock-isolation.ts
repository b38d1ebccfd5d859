/**
 * Jest runs several test files in one worker, and nock patches Node's shared `http` module when a
 * file loads it: without undoing that at the end of each file, a later file's sockets go through
 * the earlier file's interceptors (and their errors surface as unhandled). Each file restores it.
 */
afterAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded late on purpose: only to undo
  require('nock').restore();
});
