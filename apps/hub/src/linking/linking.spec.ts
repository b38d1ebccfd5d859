import { ChangeLinkExtractor } from './change-link.extractor';
import { EnvironmentClassifier } from './environment.classifier';
import { ServiceResolver } from './service.resolver';

describe('ChangeLinkExtractor', () => {
  const x = new ChangeLinkExtractor('\\bCHG\\d{7}\\b');
  it('finds every distinct change number', () => {
    expect(x.numbers('Fix CHG0030042 and CHG0030043; see CHG0030042')).toEqual(['CHG0030042', 'CHG0030043']);
  });
  it('respects word boundaries and lengths', () => {
    expect(x.numbers('XCHG0030042 CHG003004 CHG00300421')).toEqual([]);
    expect(x.numbers(null)).toEqual([]);
  });
});

describe('EnvironmentClassifier', () => {
  const c = new EnvironmentClassifier(['prod*', 'production*', 'live']);
  it('lets the upstream tier win over the name', () => {
    expect(c.isProduction('prod-sandbox', 'other')).toBe(false);
    expect(c.isProduction('eu-main', 'production')).toBe(true);
  });
  it('uses name patterns only without a tier', () => {
    expect(c.isProduction('prod-eu', null)).toBe(true);
    expect(c.isProduction('Live', null)).toBe(true);
    expect(c.isProduction('staging', null)).toBe(false);
  });
});

describe('ServiceResolver', () => {
  const r = new ServiceResolver([
    {
      name: 'payments-api',
      personalData: false,
      keys: { gitlab: 'acme/payments', jenkins: 'payments/pay-deploy' },
    },
  ]);
  it('maps catalog keys per system', () => {
    expect(r.serviceOfKey({ id: 'gitlab', plugin: 'gitlab' }, 'acme/payments')).toBe('payments-api');
    expect(r.serviceOfKey({ id: 'jenkins-eu', plugin: 'jenkins' }, 'payments/pay-deploy')).toBe(
      'payments-api',
    );
  });
  it('applies the naming defaults to services not listed', () => {
    expect(r.serviceOfKey({ id: 'gitlab', plugin: 'gitlab' }, 'acme/platform/Billing-API')).toBe(
      'billing-api',
    );
    expect(r.serviceOfKey({ id: 'jenkins', plugin: 'jenkins' }, 'shop/Cart-deploy')).toBe('cart');
  });
});
