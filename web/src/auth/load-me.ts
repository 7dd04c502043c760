import { apollo } from '../apollo/instance.ts';
import { MeDocument } from '../graphql/generated/graphql.ts';
import { session } from './session.ts';

/** Loads the profile for a stored token; false (and signed out) when it no longer works. */
export async function loadMe(): Promise<boolean> {
  try {
    const { data } = await apollo.query({ query: MeDocument, fetchPolicy: 'network-only' });
    session.me.value = data.me;
    return true;
  } catch {
    session.signOut();
    return false;
  }
}
