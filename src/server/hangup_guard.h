// Keeps SIGHUP from ending the process outside Server::Run.
//
// SIGHUP's default action ends the process, and the server's own handler exists only while the
// server does. systemd sends SIGHUP for `systemctl reload` as soon as the unit has started, which
// may be while a large directory is still loading, and a reload can race a shutdown.
#pragma once

namespace callgate::server {

// From this call until the process exits, a SIGHUP received before a Server is created is kept
// and delivered to it once it runs (so the reload happens then), and one received after the
// server is gone, up to the process's very end, is dropped. Call it before anything slow at
// start-up. Idempotent; thread-safe.
void HoldHangupsForTheServer();

}  // namespace callgate::server
