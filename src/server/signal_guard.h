// Keeps SIGHUP, and SIGTERM and SIGINT once a stop has begun, from ending the process outside
// Server::Run.
//
// Their default action ends the process, and the server's own handler exists only while the
// server does. systemd sends SIGHUP for `systemctl reload` as soon as the unit has started, which
// may be while a large directory is still loading, and a reload can race a shutdown. A stop signal
// sent again as callgate exits (an impatient operator, a script that signals until the process is
// gone) would end it by the signal, exit status 143, instead of the 0 of a clean stop.
#pragma once

namespace callgate::server {

// From this call until the process exits, a SIGHUP received before a Server is created is kept
// and delivered to it once it runs (so the reload happens then), and one received after the
// server is gone, up to the process's very end, is dropped. Call it before anything slow at
// start-up (it also makes what HoldStopSignalsUntilExit needs, which then opens no descriptor).
// Idempotent; thread-safe.
void HoldHangupsForTheServer();

// From this call until the process exits, a SIGTERM or SIGINT that no Server handles any more is
// dropped: the stop it asks for is under way. Call it once the stop has begun (before that, a stop
// signal while callgate starts must end it), after HoldHangupsForTheServer. Not thread-safe: one
// call, on the thread that begins the stop.
void HoldStopSignalsUntilExit();

}  // namespace callgate::server
