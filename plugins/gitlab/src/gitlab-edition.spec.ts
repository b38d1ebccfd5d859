import { describeEdition, editionOf, isRouteNotFound } from './gitlab-edition';

describe('editionOf', () => {
  it('reads `enterprise` where GitLab gives it (15.6+), else the version suffix', () => {
    expect(editionOf({ version: '18.1.1-ee', enterprise: true })).toEqual({
      version: '18.1.1',
      enterprise: true,
    });
    expect(editionOf({ version: '18.1.1', enterprise: false })).toEqual({
      version: '18.1.1',
      enterprise: false,
    });
    expect(editionOf({ version: '15.4.2-ee' })).toEqual({ version: '15.4.2', enterprise: true });
    expect(editionOf({ version: '8.13.0-pre' })).toEqual({ version: '8.13.0', enterprise: false });
    expect(editionOf({})).toEqual({});
    expect(editionOf(null)).toEqual({});
  });

  it('names it for people', () => {
    expect(describeEdition({ version: '18.1.1', enterprise: true })).toBe('GitLab 18.1.1 Enterprise Edition');
    expect(describeEdition({ version: '18.1.1', enterprise: false })).toBe('GitLab 18.1.1 Community Edition');
    expect(describeEdition({})).toBe('GitLab');
  });
});

describe('isRouteNotFound', () => {
  it("tells GitLab's catch-all route from a resource that is missing", () => {
    expect(isRouteNotFound(404, { error: '404 Not Found' })).toBe(true);
    expect(isRouteNotFound(404, { message: '404 Project Not Found' })).toBe(false);
    expect(isRouteNotFound(404, { message: '404 Merge Request Not Found' })).toBe(false);
    expect(isRouteNotFound(403, { error: '404 Not Found' })).toBe(false);
    expect(isRouteNotFound(404, undefined)).toBe(false);
  });
});
