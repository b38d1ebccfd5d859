import type { ServiceKeys } from '@audit-hub/plugin-sdk';
import {
  looksLikeLibrary,
  refOf,
  repositoryHintFor,
  repositoryName,
  selectCheckout,
  urlIsRepository,
  type GitCheckout,
} from './jenkins-revision.selector';

const library: GitCheckout = {
  sha: 'a'.repeat(40),
  branch: 'main',
  remoteUrls: ['https://git.example.com/platform/jenkins-shared-library.git'],
};
const tooling: GitCheckout = {
  sha: 'b'.repeat(40),
  branch: 'origin/main',
  remoteUrls: ['git@git.example.com:ops/deploy-scripts.git'],
};
const service: GitCheckout = {
  sha: 'c'.repeat(40),
  branch: 'origin/main',
  remoteUrls: ['ssh://git@git.example.com:7999/acme/payments-api.git'],
};

describe('jenkins deployed commit selection', () => {
  it('matches the service repository in https, scp-like and ssh URLs, case-insensitively', () => {
    expect(urlIsRepository('https://gitlab.example.com/acme/payments-api.git', 'acme/payments-api')).toBe(
      true,
    );
    expect(urlIsRepository('https://gitlab.example.com/Acme/Payments-API/', 'acme/payments-api')).toBe(true);
    expect(urlIsRepository('git@gitlab.example.com:acme/payments-api.git', 'acme/payments-api')).toBe(true);
    expect(
      urlIsRepository('https://gitlab.example.com/acme/payments-api-docs.git', 'acme/payments-api'),
    ).toBe(false);
    expect(
      urlIsRepository('https://gitlab.example.com/other-acme/payments-api.git', 'acme/payments-api'),
    ).toBe(false);
  });

  it('recognises shared-library repositories by name', () => {
    for (const url of [
      'https://gitrepository.dettonville.int/stash/scm/api/infra-jenkins-pipeline-libs.git',
      'https://gitrepository.dettonville.int/stash/scm/api/pipeline-automation-lib.git',
      'git@github.com:acme/jenkins-shared-library-core.git',
      'https://git.example.com/ci/lib.git',
    ]) {
      expect(looksLikeLibrary(url)).toBe(true);
    }
    for (const url of [
      'https://gitrepository.dettonville.int/stash/scm/API/ara-pipelines.git',
      'https://git.example.com/acme/calib.git',
      'https://git.example.com/acme/payments-api.git',
    ]) {
      expect(looksLikeLibrary(url)).toBe(false);
    }
    expect(repositoryName('https://git.example.com/scm/API/Ara-Pipelines.git/')).toBe('ara-pipelines');
  });

  it('takes the named repository, or none when it was not checked out', () => {
    expect(selectCheckout([library, tooling, service], { path: 'acme/payments-api' })).toBe(service);
    expect(selectCheckout([library, tooling], { path: 'acme/payments-api' })).toBeUndefined();
  });

  it('without a path, prefers the repository named like the service, then the first that is not a library', () => {
    expect(selectCheckout([library, tooling, service], { serviceName: 'payments-api' })).toBe(service);
    expect(selectCheckout([library, tooling, service], { serviceName: 'ledger' })).toBe(tooling);
    expect(selectCheckout([library], {})).toBeUndefined();
    expect(selectCheckout([], {})).toBeUndefined();
  });

  it('resolves a job to its service as the hub does: catalog key, else the naming default', () => {
    const services: ServiceKeys[] = [
      {
        name: 'payments-api',
        keys: { jenkins: 'payments/payments-api-deploy', gitlab: 'acme/payments-api' },
      },
      { name: 'ledger', keys: { gitlab: 'acme/ledger-service' } },
      { name: 'billing', keys: { 'jenkins-eu': 'eu/billing-release', gitlab: 'acme/billing' } },
    ];
    expect(repositoryHintFor('payments/payments-api-deploy', services, 'jenkins')).toEqual({
      path: 'acme/payments-api',
      serviceName: 'payments-api',
    });
    expect(repositoryHintFor('platform/Ledger-deploy', services, 'jenkins')).toEqual({
      path: 'acme/ledger-service',
      serviceName: 'ledger',
    });
    expect(repositoryHintFor('eu/billing-release', services, 'jenkins-eu')).toEqual({
      path: 'acme/billing',
      serviceName: 'billing',
    });
    expect(repositoryHintFor('tools/cleanup', services, 'jenkins')).toEqual({ serviceName: 'cleanup' });
  });

  it('reads branches and tags the git plugin records', () => {
    expect(refOf('origin/main')).toEqual({ ref: 'main', isTag: false });
    expect(refOf('refs/remotes/upstream/release/1.4')).toEqual({ ref: 'release/1.4', isTag: false });
    expect(refOf('refs/heads/main')).toEqual({ ref: 'main', isTag: false });
    expect(refOf('refs/tags/v1.4.1')).toEqual({ ref: 'v1.4.1', isTag: true });
    expect(refOf(undefined)).toEqual({ ref: '', isTag: false });
  });
});
