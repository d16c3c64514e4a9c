// A real OpenID provider for the browser tests: the certified
// `oidc-provider` package on a loopback port, with one client `navet`.
// Its development login form takes any login name; the account's `email`
// claim is that name, so a test signs in as any staff member (or as
// somebody who is in no staff list) by typing an address.
import Provider from "oidc-provider";
import net from "node:net";

export const CLIENT_ID = "navet";
export const CLIENT_SECRET = "e2e-secret-not-for-production-use-0123456789";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** The issuer address for a port (known before the provider starts). */
export function issuerFor(port) {
  return `http://127.0.0.1:${port}`;
}

/**
 * Start the provider on `port`, accepting `redirectUris` and sending
 * people back to `postLogoutUris` after its end-session page.
 */
export async function startProvider(port, { redirectUris, postLogoutUris = [] }) {
  const issuer = issuerFor(port);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: sub, email_verified: true, name: sub };
        },
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The claims asked for with scopes go in the ID token too, as Entra ID
    // and Keycloak do by default.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    cookies: { keys: ["e2e-cookie-key-0123456789abcdef"] },
  });
  // Quiet: the provider warns about development settings on every start.
  const server = await new Promise((resolve) => {
    const s = provider.listen(port, "127.0.0.1", () => resolve(s));
  });
  return {
    issuer,
    async stop() {
      await new Promise((r) => server.close(r));
    },
  };
}
