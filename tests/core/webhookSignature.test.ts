import { Webhook } from 'standardwebhooks';
import { WebhookSecret } from '../../src/core/alertChannels';
import { signedHeaders, webhookSignature } from '../../src/core/webhookSignature';

// The example of the Standard Webhooks spec and its reference libraries' tests
// (standard-webhooks/standard-webhooks, libraries/javascript/src/index.test.ts).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('reproduces the spec example', () => {
    expect(webhookSignature(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.payload)).toBe(SPEC.signature);
  });

  it('is accepted by the standardwebhooks package, and a tampered body, id or time is not', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ kind: 'DOWN', monitor: 'shop' });
    const headers = { ...signedHeaders(secret, 'msg_1', timestamp, body) };
    const verifier = new Webhook(secret);
    expect(verifier.verify(body, headers)).toEqual({ kind: 'DOWN', monitor: 'shop' });
    expect(() => verifier.verify(body.replace('shop', 'shoq'), headers)).toThrow();
    expect(() => verifier.verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow();
    expect(() => verifier.verify(body, { ...headers, 'webhook-timestamp': String(timestamp + 1) })).toThrow();
  });
});

describe('WebhookSecret', () => {
  it.each([
    ['whsec_ and 24 bytes', `whsec_${Buffer.alloc(24, 1).toString('base64')}`, true],
    ['whsec_ and 64 bytes', `whsec_${Buffer.alloc(64, 1).toString('base64')}`, true],
    ['the spec example', SPEC.secret, true],
    ['no prefix', Buffer.alloc(32, 1).toString('base64'), false],
    ['too short a key', `whsec_${Buffer.alloc(8, 1).toString('base64')}`, false],
    ['not base64', 'whsec_not base64!', false],
  ])('%s', (_label, secret, ok) => {
    expect(WebhookSecret.safeParse(secret).success).toBe(ok);
  });
});
