/** Build a RestConnection from JupyterLab's ServerConnection (token, XSRF, base_url such as `/a%40b/`). */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { RestConnection, RestTransport, SocketLike } from './rest';

export function restConnection(settings = ServerConnection.makeSettings()): RestConnection {
  return {
    studioUrl: URLExt.join(settings.baseUrl, 'sage-studio') + '/',
    studioWsUrl: URLExt.join(settings.wsUrl, 'sage-studio') + '/',
    // Not the default `no-store`: for it ServerConnection appends a `?<timestamp>` cache buster, and an
    // operation refuses arguments it does not declare. `no-cache` still revalidates every answer.
    request: (url, init) =>
      ServerConnection.makeRequest(url, { cache: 'no-cache', ...init }, settings),
    openSocket: url => {
      let full = url;
      if (settings.token && settings.appendToken) {
        full += (url.includes('?') ? '&' : '?') + `token=${encodeURIComponent(settings.token)}`;
      }
      return new settings.WebSocket(full) as unknown as SocketLike;
    }
  };
}

export function restTransport(): RestTransport {
  return new RestTransport(restConnection());
}
