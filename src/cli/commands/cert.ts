import type { CliIo, Command } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

const HELP = `Usage: wirekit cert [name ...] [options]

Creates a local certificate authority (once) and a certificate it signs for localhost, 127.0.0.1,
::1 and the extra names given (DNS names, *.wildcards, IP addresses), like mkcert. Run it again and
it reuses both while they are good; the CA stays the same, so it is trusted once per machine.

Options:
      --dir <path>   where the files go (default $XDG_CONFIG_HOME/wirekit, else $HOME/.config/wirekit)
      --force        make a new CA and certificate (the new CA must be trusted again)
  -h, --help         show this help

Files: ca.pem (trust this), ca-key.pem (keep it private), localhost.pem and localhost-key.pem
(what the server uses: wirekit serve --tls picks them up).

Examples:
  wirekit cert
  wirekit cert app.test '*.app.test' 192.168.1.20
`;

/** How to trust `caFile` on the usual systems. */
export function trustHelp(caFile: string): string {
  return `To trust the CA on this machine (once):
  Debian/Ubuntu  sudo cp ${caFile} /usr/local/share/ca-certificates/wirekit-dev-ca.crt && sudo update-ca-certificates
  Fedora/RHEL    sudo cp ${caFile} /etc/pki/ca-trust/source/anchors/wirekit-dev-ca.pem && sudo update-ca-trust
  macOS          sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${caFile}
  Firefox        keeps its own store (NSS): Settings > Privacy & Security > Certificates > View Certificates >
                 Authorities > Import ${caFile}; Chromium on Linux reads $HOME/.pki/nssdb:
                 certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "wirekit development CA" -i ${caFile}
  Node.js        NODE_EXTRA_CA_CERTS=${caFile} node client.js
  curl           curl --cacert ${caFile} https://localhost:8443/
`;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: names } = parseCommandArgs(args, {
    dir: { type: 'string' },
    force: { type: 'boolean', default: false },
  });
  const dir = values.dir;
  const force = values.force;
  for (const name of names)
    if (!/^(\*\.)?[A-Za-z0-9.:-]+$/.test(name)) throw new UsageError(`"${name}" is not a host name or IP address`);
  // Loaded here: the X.509 library is needed by this command only.
  const { defaultCertDir, ensureDevCertificate } = await import('../cert/dev-cert.js');
  const dev = await ensureDevCertificate({ dir: dir ?? defaultCertDir(io.env), names, force });
  const said = (created: boolean): string => (created ? 'created' : 'reused');
  io.stdout.write(`CA           ${dev.caFile} (${said(dev.createdCa)})
Certificate  ${dev.certFile} (${said(dev.createdCert)}; until ${dev.validTo.toISOString().slice(0, 10)})
Key          ${dev.keyFile}
Names        ${dev.names.join(', ')}

Serve with it:  wirekit serve --tls    (or --cert ${dev.certFile} --key ${dev.keyFile})

${trustHelp(dev.caFile)}`);
  return 0;
}

/** `wirekit cert`: a local CA and a development certificate for localhost. */
export const certCommand: Command = {
  name: 'cert',
  summary: 'create a local CA and a trusted development certificate for localhost',
  help: HELP,
  run,
};
