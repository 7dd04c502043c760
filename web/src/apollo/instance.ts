import { createApollo } from './client.ts';

/** The one Apollo Client of the app (also used outside components, e.g. by the router). */
export const apollo = createApollo();
