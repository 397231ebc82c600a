// The supervision feed's functions the UI may call (/bureau/supervision-feed). Routes import them through
// #app/domain.server.ts.
export { viewSupervisionFeedState } from '#supervision/feed/view-supervision-feed-state.ts'
export { requestSupervisionFeedSync } from '#supervision/feed/request-supervision-feed-sync.ts'
