/** Field names of the datasource's frames that the timeline panel reads back. */
export const FIELD_PROBABILITY = 'probability';
export const FIELD_SURPRISE = 'surprise';
export const FIELD_TOP_FEATURES = 'top_features';
