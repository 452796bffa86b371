// libsystemd, imported as is. Fulcrum calls only non-variadic entry points: sd-bus's
// sd_bus_message_append_basic, sd_bus_message_read_basic, open/enter container and
// sd_bus_call_async; sd-daemon's sd_notify and sd_listen_fds; sd-journal's sd_journal_sendv.
// So no C shim is needed for the varargs forms.
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
