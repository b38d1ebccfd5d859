import type { Criticality, Tier } from './estate.model';

/** Fixed vocabulary of the simulated enterprise (Acme): service names, people names, work titles. */

export const ORGANIZATION = { id: 7, name: 'Acme', path: 'acme', domain: 'acme.com' } as const;

export interface ServiceBlueprint {
  name: string;
  team: string;
  criticality: Criticality;
  personalData: boolean;
  description: string;
  /** Environments besides staging; `production` unless said otherwise. */
  environments: { name: string; tier: Tier }[];
  /** Deployed by a Jenkins deploy job instead of GitLab deploy jobs. */
  deployVia?: 'gitlab' | 'jenkins';
  /** The CMDB's `business_criticality` when it differs from what the catalog criticality implies. */
  cmdbCriticality?: 1 | 2 | 3 | 4;
  /** A service launched recently: its repository and CMDB item exist only since then. */
  launchedDaysAgo?: number;
}

/**
 * The services of scale 1. Three carry environment traps: `checkout-web` deploys to a second
 * production environment `prod-eu`; `ledger-service` calls its production environment `live`;
 * `identity-gateway` has `prod-sandbox`, whose name looks like production but whose tier is `other`.
 * `checkout-web` is medium in the catalog but `2 - somewhat critical` in the CMDB (high-impact all
 * the same); `settlement-engine` is built and deployed by Jenkins; `kyc-service` was launched three
 * weeks before the estate's present.
 */
export const BASE_SERVICES: ServiceBlueprint[] = [
  {
    name: 'payments-api',
    team: 'payments',
    criticality: 'high',
    personalData: true,
    description: 'Card and SEPA payment processing API',
    environments: [{ name: 'production', tier: 'production' }],
  },
  {
    name: 'checkout-web',
    team: 'storefront',
    criticality: 'medium',
    personalData: false,
    description: 'Customer-facing checkout front end',
    environments: [
      { name: 'production', tier: 'production' },
      { name: 'prod-eu', tier: 'production' },
    ],
    cmdbCriticality: 2,
  },
  {
    name: 'ledger-service',
    team: 'finance',
    criticality: 'high',
    personalData: false,
    description: 'General ledger and double-entry bookkeeping',
    environments: [{ name: 'live', tier: 'production' }],
  },
  {
    name: 'identity-gateway',
    team: 'platform',
    criticality: 'high',
    personalData: true,
    description: 'Single sign-on and token exchange gateway',
    environments: [
      { name: 'production', tier: 'production' },
      { name: 'prod-sandbox', tier: 'other' },
    ],
  },
  {
    name: 'notifications-worker',
    team: 'platform',
    criticality: 'low',
    personalData: false,
    description: 'E-mail, SMS and push notification worker',
    environments: [{ name: 'production', tier: 'production' }],
  },
  {
    name: 'reporting-batch',
    team: 'finance',
    criticality: 'medium',
    personalData: false,
    description: 'Nightly financial reporting jobs',
    environments: [{ name: 'production', tier: 'production' }],
  },
  {
    name: 'settlement-engine',
    team: 'finance',
    criticality: 'medium',
    personalData: false,
    description: 'End-of-day settlement with the acquiring banks (Jenkins-built)',
    environments: [{ name: 'production', tier: 'production' }],
    deployVia: 'jenkins',
  },
  {
    name: 'kyc-service',
    team: 'payments',
    criticality: 'medium',
    personalData: true,
    description: 'Know-your-customer checks for new merchants',
    environments: [{ name: 'production', tier: 'production' }],
    launchedDaysAgo: 24,
  },
];

/** How many of the base services a scale of 1 stands for in the sizing of larger estates. */
export const SERVICES_PER_SCALE = 6;

/** The Jenkins folder of a team's jobs, and the shared pipeline library every Jenkinsfile loads. */
export const JENKINS_LIBRARY_URL = 'https://gitlab.acme.com/platform/jenkins-shared-library.git';

/** An old repository: GitLab lists it only without `archived=false`; it is not a catalog service. */
export const ARCHIVED_SERVICE = {
  name: 'legacy-billing',
  team: 'finance',
  description: 'Retired billing monolith (read-only)',
};

export const BASE_TEAMS = ['payments', 'storefront', 'finance', 'platform'];

/** Name parts for the services added at scale > 1. */
export const EXTRA_SERVICE_DOMAINS = [
  'orders',
  'inventory',
  'pricing',
  'search',
  'catalog',
  'shipping',
  'billing',
  'loyalty',
  'fraud',
  'profile',
  'media',
  'tax',
  'returns',
  'partner',
  'warehouse',
  'invoice',
];
export const EXTRA_SERVICE_KINDS = ['api', 'service', 'worker', 'web', 'batch', 'gateway'];
export const EXTRA_TEAM_NAMES = [
  'commerce',
  'logistics',
  'growth',
  'risk',
  'data',
  'core',
  'mobile',
  'partners',
];

export const FIRST_NAMES = [
  'Amelia',
  'Bruno',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kavya',
  'Liam',
  'Marta',
  'Nikolai',
  'Olivia',
  'Pedro',
  'Quinn',
  'Rosa',
  'Samir',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zofia',
  'Anton',
  'Beatriz',
  'Caleb',
  'Daria',
];

export const LAST_NAMES = [
  'Hart',
  'Novak',
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Tanaka',
  'Silva',
  'Keller',
  'Brennan',
  'Rossi',
  'Haddad',
  'Kowalski',
  'Nguyen',
  'Fischer',
  'Costa',
  'Varga',
  'Ahmed',
  'Jensen',
  'Petrov',
  'Duarte',
  'Quintero',
  'Becker',
  'Osei',
  'Larsen',
  'Meyer',
  'Santos',
  'Ivanova',
  'Walsh',
  'Yilmaz',
  'Dubois',
];

export const WORK_VERBS = ['Add', 'Fix', 'Refactor', 'Improve', 'Harden', 'Remove', 'Update', 'Speed up'];
export const WORK_OBJECTS = [
  'retry handling',
  'request validation',
  'connection pooling',
  'audit logging',
  'rate limiting',
  'currency rounding',
  'idempotency keys',
  'health checks',
  'feature flag cleanup',
  'error messages',
  'metrics labels',
  'timeout defaults',
  'schema migration',
  'cache invalidation',
  'pagination',
  'dependency versions',
];
export const WORK_PLACES = [
  'in the webhook sender',
  'for the batch importer',
  'in the HTTP client',
  'for the admin API',
  'in the scheduler',
  'for outbound e-mail',
  'in the token service',
  'for the reconciliation job',
];

/** Unlinked operational changes (no deployment), for a realistic change log. */
export const INFRA_CHANGES = [
  'Patch operating system on database hosts',
  'Rotate TLS certificates on the edge proxies',
  'Increase disk on the log cluster',
  'Update firewall rules for the partner VPN',
  'Upgrade the Kubernetes node pool',
  'Renew the payment gateway HSM keys',
];
