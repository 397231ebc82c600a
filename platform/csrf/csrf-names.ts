// Names shared by the server and the browser bundle (no node: imports here).

/** The hidden form field every form of ours posts (app/components/form.tsx). */
export const CSRF_FIELD = '_csrf'
/** The header script submissions that send no form (the dataset upload) put the token in. */
export const CSRF_HEADER = 'x-csrf-token'
/** The browser id cookie: random, httpOnly, SameSite=Lax; the binding before sign-in (login CSRF). */
export const CSRF_COOKIE = 'sdp_csrf'
