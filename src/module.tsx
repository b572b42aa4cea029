import { AppPlugin } from '@grafana/data';

import { AppRootPage } from './app/AppRootPage';

export const plugin = new AppPlugin<{}>().setRootPage(AppRootPage);
