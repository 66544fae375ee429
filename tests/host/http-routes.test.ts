import { buildRouteTable, HttpRouteTable, serializeCookie, toNodeResponse } from './triggers/http';
import { parseRouteTemplate, RouteTemplateError } from './triggers/routeTemplate';
import { HttpResponse } from '@azure/functions';
import type { BindingMetadata, FunctionRegistration, Registry } from './types';

function registry(routes: Record<string, { route?: string; methods?: string[] }>): Registry {
  const functions = new Map<string, FunctionRegistration>();
  for (const [name, options] of Object.entries(routes)) {
    const trigger: BindingMetadata = {
      type: 'httpTrigger',
      direction: 'in',
      authLevel: 'function',
      ...options,
    };
    functions.set(name, {
      name,
      bindings: { req: trigger, $return: { type: 'http', direction: 'out' } },
      callback: () => undefined,
      triggerBindingName: 'req',
      triggerType: 'httpTrigger',
    });
  }
  return {
    functions,
    get: (name) => functions.get(name),
    byTriggerType: (type) => [...functions.values()].filter((fn) => fn.triggerType === type),
  };
}

describe('route templates', () => {
  it.each([
    ['items/{id}', '/items/42', { id: '42' }],
    ['items/{id}', '/ITEMS/42/', { id: '42' }],
    ['items/{id}', '/items', undefined],
    ['items/{id}', '/items/1/2', undefined],
    ['items/{id?}', '/items', {}],
    ['items/{id?}', '/items/7', { id: '7' }],
    ['items/{id=none}', '/items', { id: 'none' }],
    ['items/{id:int}', '/items/-12', { id: '-12' }],
    ['items/{id:int}', '/items/abc', undefined],
    ['items/{id:int}', '/items/99999999999', undefined],
    ['items/{id:int?}', '/items', {}],
    ['items/{id:long}', '/items/99999999999', { id: '99999999999' }],
    ['items/{id:int:min(10)}', '/items/9', undefined],
    ['items/{id:int:min(10)}', '/items/10', { id: '10' }],
    ['n/{n:range(1,3)}', '/n/3', { n: '3' }],
    ['n/{n:range(1,3)}', '/n/4', undefined],
    ['b/{flag:bool}', '/b/True', { flag: 'True' }],
    ['b/{flag:bool}', '/b/yes', undefined],
    [
      'g/{id:guid}',
      '/g/3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      { id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' },
    ],
    ['g/{id:guid}', '/g/not-a-guid', undefined],
    ['a/{s:alpha}', '/a/abc', { s: 'abc' }],
    ['a/{s:alpha}', '/a/ab1', undefined],
    ['l/{s:length(2,3)}', '/l/abcd', undefined],
    ['l/{s:minlength(2)}', '/l/ab', { s: 'ab' }],
    ['r/{s:regex(^x[0-9]+$)}', '/r/x12', { s: 'x12' }],
    ['r/{s:regex(^x[0-9]+$)}', '/r/y12', undefined],
    ['files/{*path}', '/files/a/b/c.txt', { path: 'a/b/c.txt' }],
    ['files/{*path}', '/files', {}],
    ['{a}-{b}/x', '/one-two/x', { a: 'one', b: 'two' }],
    ['monitors/{name}', '/monitors/with%20space', { name: 'with space' }],
    ['monitors/{name}', '/monitors/a%2Fb', { name: 'a/b' }],
  ])('%s matches %s as %j', (template, path, expected) => {
    expect(parseRouteTemplate(template).match(path)).toEqual(expected);
  });

  it.each([
    ['items/{id', /unclosed/],
    ['items/{id}/{id}', /twice/],
    ['items/{id?}/more', /optional/],
    ['files/{*path}/more', /catch-all/],
    ['x/{a}{b}', /literal between/],
    ['x/{id:nosuch}', /unknown constraint/],
    ['x/{id:min(a)}', /integer argument/],
    ['x/{bad-name}', /invalid parameter name/],
  ])('rejects %s', (template, message) => {
    expect(() => parseRouteTemplate(template)).toThrow(RouteTemplateError);
    expect(() => parseRouteTemplate(template)).toThrow(message);
  });
});

describe('route order', () => {
  // As in the Functions host: by function name, not by specificity, so a catch-all or a parameter
  // registered under an earlier name shadows a literal route.
  const table = buildRouteTable(
    registry({
      details: { route: 'products/{id}', methods: ['GET'] },
      list: { route: 'products/list', methods: ['GET'] },
      aCatchAll: { route: 'files/{*path}', methods: ['GET'] },
      zReadme: { route: 'files/readme', methods: ['GET'] },
    }),
    { routePrefix: 'api' },
  );

  it('tries routes in the alphabetical order of their function names', () => {
    expect(table.lookup('GET', '/api/products/list')).toMatchObject({
      kind: 'found',
      route: { functionName: 'details' },
      params: { id: 'list' },
    });
    expect(table.lookup('GET', '/api/files/readme')).toMatchObject({ route: { functionName: 'aCatchAll' } });
  });
});

describe('route table', () => {
  const table = buildRouteTable(
    registry({
      itemById: { route: 'items/{id:int}', methods: ['get', 'DELETE'] },
      itemBySlug: { route: 'items/{slug}', methods: ['GET'] },
      itemsNew: { route: 'items/new', methods: ['POST'] },
      anyMethod: { route: 'any' },
      byName: { methods: ['GET'] },
    }),
    { routePrefix: 'api' },
  );

  it('finds the first matching route whose constraints hold', () => {
    expect(table.lookup('GET', '/api/items/42')).toMatchObject({
      kind: 'found',
      route: { functionName: 'itemById' },
    });
    expect(table.lookup('GET', '/api/items/abc')).toMatchObject({
      kind: 'found',
      route: { functionName: 'itemBySlug' },
    });
    expect(table.lookup('POST', '/api/items/new')).toMatchObject({
      kind: 'found',
      route: { functionName: 'itemsNew' },
    });
  });

  it('falls through to the next route when the method does not fit', () => {
    expect(table.lookup('GET', '/api/items/new')).toMatchObject({
      kind: 'found',
      route: { functionName: 'itemBySlug' },
      params: { slug: 'new' },
    });
  });

  it('answers 405 with the allowed methods of every route that matched the path', () => {
    expect(table.lookup('PUT', '/api/items/42')).toEqual({
      kind: 'methodNotAllowed',
      allow: ['DELETE', 'GET'],
    });
  });

  it('uses the function name when there is no route, and allows every method when none are listed', () => {
    expect(table.lookup('GET', '/api/byName')).toMatchObject({
      kind: 'found',
      route: { functionName: 'byName' },
    });
    expect(table.lookup('PATCH', '/api/any')).toMatchObject({
      kind: 'found',
      route: { functionName: 'anyMethod' },
    });
  });

  it('needs the route prefix', () => {
    expect(table.lookup('GET', '/items/42')).toEqual({ kind: 'notFound' });
  });

  it('serves at the root when host.json sets routePrefix to empty', () => {
    const root = buildRouteTable(registry({ hello: { route: 'hello' } }), { routePrefix: '' });
    expect(root.lookup('GET', '/hello')).toMatchObject({ kind: 'found' });
    expect(root.lookup('GET', '/api/hello')).toEqual({ kind: 'notFound' });
  });

  it('names the function whose route is malformed', () => {
    expect(() =>
      buildRouteTable(registry({ broken: { route: 'x/{id:nope}' } }), { routePrefix: 'api' }),
    ).toThrow(/Function 'broken'.*unknown constraint/);
  });

  it('is empty without HTTP functions', () => {
    expect(new HttpRouteTable([]).lookup('GET', '/api/x')).toEqual({ kind: 'notFound' });
  });
});

describe('handler results', () => {
  it('turns a HttpResponseInit with jsonBody into a JSON response', async () => {
    const out = await toNodeResponse({ status: 201, jsonBody: { a: 1 }, headers: { 'x-one': '1' } });
    expect(out.status).toBe(201);
    expect(out.headers).toEqual(
      expect.arrayContaining([
        ['content-type', 'application/json'],
        ['x-one', '1'],
      ]),
    );
    expect(JSON.parse(out.body.toString())).toEqual({ a: 1 });
  });

  it('keeps an HttpResponse as is, with cookies as Set-Cookie headers', async () => {
    const response = new HttpResponse({
      status: 418,
      body: 'teapot',
      cookies: [{ name: 'sid', value: 'abc', path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 60 }],
    });
    const out = await toNodeResponse(response);
    expect(out.status).toBe(418);
    expect(out.body.toString()).toBe('teapot');
    expect(out.headers).toContainEqual(['set-cookie', 'sid=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax']);
  });

  it('answers 204 when the handler returns nothing, and refuses non-objects', async () => {
    expect((await toNodeResponse(undefined)).status).toBe(204);
    await expect(toNodeResponse('text')).rejects.toThrow(/must be an object/);
  });

  it('serialises every cookie attribute', () => {
    expect(
      serializeCookie({
        name: 'a',
        value: 'b',
        domain: 'example.test',
        expires: Date.UTC(2030, 0, 1),
        secure: true,
      }),
    ).toBe('a=b; Domain=example.test; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure');
  });
});
