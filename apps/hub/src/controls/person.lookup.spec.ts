import type { DataSource } from 'typeorm';
import { dropTestDataSource, testDataSource } from '../../../../test/support/database';
import { PersonEntity } from '../store/entities/person.entity';
import { PersonNameEntity } from '../store/entities/person-name.entity';
import { PersonLookup } from './person.lookup';

describe('PersonLookup', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await testDataSource('sqlite');
    await ds.getRepository(PersonEntity).save({
      personKey: 'jane@acme.example',
      displayName: 'Jane Doe',
      email: 'jane@acme.example',
      active: true,
      known: true,
      serviceAccount: false,
      sourceConnector: 'servicenow',
    });
    await ds.getRepository(PersonNameEntity).save([
      { nameLower: 'jane.doe', personKey: 'jane@acme.example' },
      { nameLower: 'jane@acme.example', personKey: 'jane@acme.example' },
    ]);
  });

  afterAll(() => dropTestDataSource(ds));

  it('resolves the names of one person to one person, and an unknown name to a person of its own', async () => {
    const people = await PersonLookup.load(ds, ['Jane.Doe', 'jane@acme.example', 'bob']);
    expect(people.same('Jane.Doe', 'jane@acme.example')).toBe(true);
    expect(people.of('bob')).toEqual({ personKey: 'unknown:bob', displayName: 'bob', serviceAccount: false });
    expect(people.same('bob', 'BOB')).toBe(true);
    expect(people.same('bob', 'jane.doe')).toBe(false);
  });

  it('takes a shared placeholder account (~ghost) for nobody in particular: never the same person, not even as itself', async () => {
    const people = await PersonLookup.load(ds, ['~ghost', 'jane.doe']);
    expect(people.same('~ghost', '~ghost')).toBe(false);
    expect(people.same('~ghost', 'jane.doe')).toBe(false);
    const counted = new Set(['~ghost', '~ghost', 'jane.doe'].map((n) => people.of(n)!.personKey));
    // Two approvals the ghost took over were two deleted users' approvals.
    expect(counted.size).toBe(3);
  });
});
