"""The Office add-in manifest of ``kam-xl serve``: what Excel (desktop, Mac, web) loads to find the server.

One XML file (the add-in-only manifest format, ``OfficeApp`` 1.1 with ``VersionOverrides`` 1.0) that tells
Excel:

* where the task pane is (``/taskpane``) — it runs in a *shared runtime* with the custom functions, so the
  credential typed into the task pane is the one the functions send;
* where the custom functions' metadata (``/xlwings/custom-functions-meta``) and code
  (``/xlwings/custom-functions-code``) are, and their namespace: ``KAM`` — a cell formula reads
  ``=KAM.KAM_KGB_CARD(…)``;
* a ribbon tab "KAM" with a button that opens the task pane (the macro buttons live there).

Every URL starts with the server's public base URL (``https://…`` — Excel loads add-ins over HTTPS only). Values
are XML-escaped; the add-in id is derived from the base URL, so one deployment keeps one id across restarts and
two deployments (test, production) can be installed side by side.

>>> xml = manifest_xml("https://kam.example.com")
>>> '<bt:Url id="Functions.Metadata.Url" DefaultValue="https://kam.example.com/xlwings/custom-functions-meta" />' in xml
True
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import quoteattr

#: Excel puts this before every function name: ``=KAM.KAM_KGB_CARD(…)``.
FUNCTIONS_NAMESPACE = "KAM"
TASKPANE_PATH = "/taskpane"
FUNCTIONS_META_PATH = "/xlwings/custom-functions-meta"
FUNCTIONS_CODE_PATH = "/xlwings/custom-functions-code"
ICON_SIZES = (16, 32, 64, 80)


def icon_path(size: int) -> str:
    """The URL path of the add-in icon of ``size`` × ``size`` pixels."""
    return f"/static/icon-{size}.png"


def addin_id(base_url: str) -> str:
    """A stable GUID for the deployment at ``base_url`` (Excel keys installed add-ins by it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kam-xl-addin:" + base_url.rstrip("/")))


def manifest_xml(base_url: str, *, name: str = "kam_xl", version: str = "1.0.0.0",
                 namespace: str = FUNCTIONS_NAMESPACE) -> str:
    """The add-in manifest for the server reachable at ``base_url`` (scheme, host and port, no trailing slash).

    ``version`` is the manifest version Excel compares on updates (four numbers, e.g. ``1.0.0.0``).
    """
    base = base_url.rstrip("/")

    def a(value: str) -> str:  # an attribute value, quoted and escaped
        return quoteattr(value)

    def url(path: str) -> str:
        return a(base + path)

    icons = "\n".join(
        f'        <bt:Image id="Icon.{s}x{s}" DefaultValue={url(icon_path(s))} />' for s in (16, 32, 80)
    )
    ribbon_icon = "\n".join(f'                  <bt:Image size="{s}" resid="Icon.{s}x{s}" />' for s in (16, 32, 80))
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:ov="http://schemas.microsoft.com/office/taskpaneappversionoverrides" xsi:type="TaskPaneApp">
  <Id>{addin_id(base)}</Id>
  <Version>{_text(version)}</Version>
  <ProviderName>kam_xl</ProviderName>
  <DefaultLocale>en-US</DefaultLocale>
  <DisplayName DefaultValue={a(name)} />
  <Description DefaultValue={a(name + ": key account management methods as Excel functions and macros")} />
  <IconUrl DefaultValue={url(icon_path(32))} />
  <HighResolutionIconUrl DefaultValue={url(icon_path(64))} />
  <SupportUrl DefaultValue={url(TASKPANE_PATH)} />
  <AppDomains>
    <AppDomain>{_text(base)}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Workbook" />
  </Hosts>
  <Requirements>
    <Sets DefaultMinVersion="1.1">
      <Set Name="SharedRuntime" MinVersion="1.1" />
    </Sets>
  </Requirements>
  <DefaultSettings>
    <SourceLocation DefaultValue={url(TASKPANE_PATH)} />
  </DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
    xsi:type="VersionOverridesV1_0">
    <Hosts>
      <Host xsi:type="Workbook">
        <Runtimes>
          <Runtime resid="Taskpane.Url" lifetime="long" />
        </Runtimes>
        <AllFormFactors>
          <ExtensionPoint xsi:type="CustomFunctions">
            <Script>
              <SourceLocation resid="Functions.Script.Url" />
            </Script>
            <Page>
              <SourceLocation resid="Taskpane.Url" />
            </Page>
            <Metadata>
              <SourceLocation resid="Functions.Metadata.Url" />
            </Metadata>
            <Namespace resid="Functions.Namespace" />
          </ExtensionPoint>
        </AllFormFactors>
        <DesktopFormFactor>
          <FunctionFile resid="Taskpane.Url" />
          <ExtensionPoint xsi:type="PrimaryCommandSurface">
            <CustomTab id="KamXl.Tab">
              <Group id="KamXl.Group">
                <Label resid="KamXl.Group.Label" />
                <Icon>
{ribbon_icon}
                </Icon>
                <Control xsi:type="Button" id="KamXl.TaskpaneButton">
                  <Label resid="KamXl.TaskpaneButton.Label" />
                  <Supertip>
                    <Title resid="KamXl.TaskpaneButton.Label" />
                    <Description resid="KamXl.TaskpaneButton.Tooltip" />
                  </Supertip>
                  <Icon>
{ribbon_icon}
                  </Icon>
                  <Action xsi:type="ShowTaskpane">
                    <TaskpaneId>KamXl.Taskpane</TaskpaneId>
                    <SourceLocation resid="Taskpane.Url" />
                  </Action>
                </Control>
              </Group>
              <Label resid="KamXl.Tab.Label" />
            </CustomTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
{icons}
      </bt:Images>
      <bt:Urls>
        <bt:Url id="Taskpane.Url" DefaultValue={url(TASKPANE_PATH)} />
        <bt:Url id="Functions.Script.Url" DefaultValue={url(FUNCTIONS_CODE_PATH)} />
        <bt:Url id="Functions.Metadata.Url" DefaultValue={url(FUNCTIONS_META_PATH)} />
      </bt:Urls>
      <bt:ShortStrings>
        <bt:String id="Functions.Namespace" DefaultValue={a(namespace)} />
        <bt:String id="KamXl.Tab.Label" DefaultValue="KAM" />
        <bt:String id="KamXl.Group.Label" DefaultValue={a(name)} />
        <bt:String id="KamXl.TaskpaneButton.Label" DefaultValue="Macros" />
      </bt:ShortStrings>
      <bt:LongStrings>
        <bt:String id="KamXl.TaskpaneButton.Tooltip"
          DefaultValue="Open the kam_xl task pane: validate, refresh, generate and collect" />
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
"""


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
