import { RadixRouter } from '../../../src/web/router/index.js';
import { routerSuite } from './suite.js';

routerSuite('RadixRouter', (options) => new RadixRouter<string>(options));
