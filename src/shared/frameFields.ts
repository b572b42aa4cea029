/** Field names of the datasource's frames that the timeline panel reads back. */
export const FIELD_PROBABILITY = 'probability';
export const FIELD_SURPRISE = 'surprise';
export const FIELD_TOP_FEATURES = 'top_features';
/** Explanation frame: where the hour's excess is (text), and the top schedd and VO alone. */
export const FIELD_WHERE = 'where';
export const FIELD_WHERE_SCHEDD = 'where_schedd';
export const FIELD_WHERE_EXPERIMENT = 'where_experiment';
