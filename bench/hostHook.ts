// Imported first: app modules register their functions through `@azure/functions-core`, which only
// the Functions worker provides. The test host's resolve hook maps it to its stand-in, as in tests.
import { installResolveHook } from '../tests/host/loader';

installResolveHook();
