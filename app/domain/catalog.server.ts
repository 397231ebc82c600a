// Catalog domain functions the UI may call (issue 3). Routes import them through #app/domain.server.ts.
export { listPublishedProducts } from '#catalog/products/list-published-products.ts'
export { listDatasets } from '#catalog/datasets/list-datasets.ts'
