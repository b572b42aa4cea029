/** Probability at or above which an hour counts as anomalous, unless a query or panel says otherwise. */
export { DEFAULT_THRESHOLD } from '../core/model/probability';
