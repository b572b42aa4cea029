/** Ids of the app and its nested plugins; must match the plugin.json files (checked by tests/artifacts). */
export const APP_ID = 'gridsentinel-anomaly-app';
export const DATASOURCE_ID = 'gridsentinel-anomaly-datasource';
export const PANEL_ID = 'gridsentinel-timeline-panel';
