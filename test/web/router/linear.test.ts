import { LinearRouter } from '../../../src/web/router/index.js';
import { routerSuite } from './suite.js';

routerSuite('LinearRouter', (options) => new LinearRouter<string>(options));
